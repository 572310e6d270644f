using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Runtime.Tests;

/// <summary>
/// The corpus's own labels must agree with each runtime; a label is a claim about a runtime, and the
/// on(...) labels make the cases that tell the runtimes apart fail on the one runtime that regresses.
/// </summary>
public sealed class CorpusLabelTests(ITestOutputHelper output)
{
    public static TheoryData<string> Tfms => new(RuntimeTargets.Majors.Select(m => $"net{m}.0"));

    [Theory, MemberData(nameof(Tfms))]
    public void Every_case_reaches_steady_state_without_error(string tfm)
    {
        var run = CorpusRun.For(tfm);
        var bad = run.Cases.Where(c => c.Measurement.Error is not null || !c.Measurement.Steady).ToList();
        foreach (var c in bad) output.WriteLine($"{tfm} {c.Name}: steady={c.Measurement.Steady} error={c.Measurement.Error}");
        Assert.Empty(bad);
    }

    [Theory, MemberData(nameof(Tfms))]
    public void Labels_agree_with_the_runtime(string tfm)
    {
        var run = CorpusRun.For(tfm);
        output.WriteLine($"{run.Target}: measured on {run.MeasuredOn}; {run.Cases.Count} cases, {run.Skipped.Count} skipped");
        var wrong = run.Cases.Where(c => c.Measurement.Error is null && c.LabelSaysAllocates != c.Measurement.Allocates).ToList();
        foreach (var c in run.Cases)
            output.WriteLine($"{(wrong.Contains(c) ? "MISMATCH" : "ok      ")} {c.Name,-60} label={c.Label,-7} runtime={c.Measurement.BytesPerCall:0.#} B/call");
        Assert.True(wrong.Count == 0, $"{wrong.Count} corpus labels disagree with {run.Target}: " + string.Join(", ", wrong.Select(c => $"{c.Name} (label {c.Label}, {c.Measurement.BytesPerCall:0.#} B/call)")));
    }

    /// <summary>
    /// A case is skipped only where it cannot exist: it does not compile against an older framework. So the
    /// newest runtime skips nothing, and a case skipped on one runtime is skipped on every older one.
    /// </summary>
    [Fact]
    public void Only_cases_that_cannot_exist_on_an_older_target_are_skipped()
    {
        var runs = CorpusRun.All.ToList();
        foreach (var run in runs)
            foreach (var s in run.Skipped) output.WriteLine($"skipped on {run.Target.Tfm}: {s.Name}: {s.Reason}");
        Assert.Empty(runs[^1].Skipped);
        for (int i = 1; i < runs.Count; i++)
        {
            var newer = runs[i].Skipped.Select(s => s.Name).ToHashSet();
            var older = runs[i - 1].Skipped.Select(s => s.Name).ToHashSet();
            Assert.True(newer.IsSubsetOf(older), $"skipped on {runs[i].Target.Tfm} but not on {runs[i - 1].Target.Tfm}: {string.Join(", ", newer.Except(older))}");
        }
        Assert.All(runs.SelectMany(r => r.Skipped), s => Assert.StartsWith("CS", s.Reason));
    }
}
