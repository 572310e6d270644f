using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Runtime.Tests;

/// <summary>The corpus's own labels must agree with the runtime; a label is a claim about the runtime.</summary>
public sealed class CorpusLabelTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_case_reaches_steady_state_without_error()
    {
        var bad = CorpusRun.Instance.Cases.Where(c => c.Measurement.Error is not null || !c.Measurement.Steady).ToList();
        foreach (var c in bad) output.WriteLine($"{c.Name}: steady={c.Measurement.Steady} error={c.Measurement.Error}");
        Assert.Empty(bad);
    }

    [Fact]
    public void Labels_agree_with_the_runtime()
    {
        var cases = CorpusRun.Instance.Cases;
        var wrong = cases.Where(c => c.Measurement.Error is null && c.LabelSaysAllocates != c.Measurement.Allocates).ToList();
        foreach (var c in cases)
            output.WriteLine($"{(wrong.Contains(c) ? "MISMATCH" : "ok      ")} {c.Name,-60} label={c.Marker.Expected ?? c.Marker.Verb.ToString(),-7} runtime={c.Measurement.BytesPerCall:0.#} B/call");
        Assert.True(wrong.Count == 0, $"{wrong.Count} corpus labels disagree with the runtime: " + string.Join(", ", wrong.Select(c => c.Name)));
    }
}
