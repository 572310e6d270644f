using AllocationLens.Analysis;
using AllocationLens.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Runtime.Tests;

/// <summary>
/// The acceptance test of the engine: at every corpus marker, does the engine's verdict (judged for
/// net10.0, optimized) agree with what the installed runtime allocates? Prints "runtime agreement: A/N".
/// </summary>
public sealed class EngineAgreementTests(ITestOutputHelper output)
{
    /// <summary>
    /// Known disagreements, each with the reason. FIXME entries are imprecision we accept today; they
    /// are asserted to still disagree so that a fix is noticed and the entry removed.
    /// </summary>
    private static readonly Dictionary<string, string> KnownDisagreements = new()
    {
        // FIXME: the runtime caches strings for small numbers (0..299); the value is not known statically.
        ["BoxingCases.Case_SmallIntToStringIsCached"] = "int.ToString() of a small number returns a cached string",
        // FIXME: an allocation inside a source callee that is not inlined (here `new T()` in a generic
        // factory) is reported at the callee's own site, not at every call; only framework, iterator
        // and async callees are charged at the call today.
        ["Probe3Cases.Case_GenericNewOfClass"] = "the allocation is reported inside GenericFactory.Make<T>, not at the call",
        // FIXME: a box whose only use is being unboxed again is removed by the JIT altogether, even over
        // the 528-byte limit (one measured shape so far); the engine applies the size limit and says heap.
        ["BoundaryCases.Case_BoxStruct66"] = "the JIT eliminates a box that is only unboxed, whatever its size",
    };

    /// <summary>Writes the per-case table to artifacts/runtime-agreement.txt, which the test script prints.</summary>
    private static void WriteReport(string text)
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (!File.Exists(Path.Combine(dir, "server.sln"))) continue;
            Directory.CreateDirectory(Path.Combine(dir, "artifacts"));
            File.WriteAllText(Path.Combine(dir, "artifacts", "runtime-agreement.txt"), text + "\n");
            return;
        }
    }

    public static (bool EngineAllocates, AllocationSite? Site) EngineVerdict(CorpusCase c, IReadOnlyList<AllocationSite> sites)
    {
        var site = sites.FirstOrDefault(s => s.Where.Path == c.Marker.Path && s.Where.Span.Start == c.Marker.Position);
        return (site is { Kind: AllocationKind.Heap or AllocationKind.Boxed }, site);
    }

    [Fact]
    public void Engine_agrees_with_the_runtime()
    {
        var run = CorpusRun.Instance;
        var errors = new List<string>();
        var analyzer = new AllocationAnalyzer(TargetRuntime.Net10) { OnInternalError = (node, ex) => errors.Add($"{node.GetLocation().GetLineSpan()}: {ex}") };
        var sitesByPath = run.Compilation.SyntaxTrees.ToDictionary(t => t.FilePath, t => (IReadOnlyList<AllocationSite>)analyzer.Analyze(run.Compilation, t));

        int agree = 0, total = 0;
        var report = new System.Text.StringBuilder();
        var unexpected = new List<string>();
        var dangerous = new List<string>();
        foreach (var c in run.Cases.Where(c => c.Measurement.Error is null))
        {
            total++;
            var (engineAllocates, site) = EngineVerdict(c, sitesByPath[c.Marker.Path]);
            bool runtimeAllocates = c.Measurement.Allocates;
            bool ok = engineAllocates == runtimeAllocates;
            if (ok) agree++;
            string label = site is null ? "none" : site.Kind.ToString().ToLowerInvariant();
            var row = $"{(ok ? "agree   " : "DISAGREE")} {c.Name,-58} engine={label,-6} runtime={c.Measurement.BytesPerCall:0.#} B/call{(ok || site is null ? "" : "  — " + site.Message)}";
            output.WriteLine(row);
            report.AppendLine(row);
            if (!ok && !KnownDisagreements.ContainsKey(c.Name)) unexpected.Add(c.Name);
            if (ok && KnownDisagreements.ContainsKey(c.Name)) unexpected.Add(c.Name + " (now agrees: remove it from KnownDisagreements)");
            if (!engineAllocates && site is { Kind: AllocationKind.Stack } && runtimeAllocates) dangerous.Add(c.Name);
        }
        var summary = $"runtime agreement: {agree}/{total} ({100.0 * agree / total:0.0}%)";
        output.WriteLine(summary);
        WriteReport(report.Append(summary).ToString());

        Assert.True(errors.Count == 0, "engine failures:\n" + string.Join("\n", errors));
        Assert.True(dangerous.Count == 0, "stack claimed where the runtime allocates: " + string.Join(", ", dangerous));
        Assert.True(unexpected.Count == 0, "unexpected disagreements: " + string.Join(", ", unexpected));
        Assert.True(agree >= total * 0.97, $"agreement {agree}/{total} is under 97%");
    }
}
