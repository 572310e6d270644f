using AllocationLens.Analysis;
using AllocationLens.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace AllocationLens.Runtime.Tests;

/// <summary>
/// The acceptance test of the engine: at every corpus marker, does the engine's verdict for a target
/// (what `allocation-lens analyze --target netN.0` says, optimized) agree with what that runtime allocates?
/// Prints `runtime agreement (netN.0): A/N` per runtime, also into artifacts/runtime-agreement.txt.
/// </summary>
public sealed class EngineAgreementTests(ITestOutputHelper output)
{
    /// <summary>The agreement bar, per runtime.</summary>
    private const double Bar = 0.99;

    /// <summary>A known disagreement: the reason, and the runtimes it holds on (none listed: every runtime).</summary>
    private sealed record Known(string Reason, params string[] Tfms)
    {
        public bool On(string tfm) => Tfms.Length == 0 || Tfms.Contains(tfm);
    }

    /// <summary>
    /// Known disagreements, each with the reason. FIXME entries are imprecision we accept today; they
    /// are asserted to still disagree so that a fix is noticed and the entry removed.
    /// </summary>
    private static readonly Dictionary<string, Known> KnownDisagreements = new()
    {
        // FIXME: the runtime caches strings for small numbers (0..299); the value is not known statically.
        ["BoxingCases.Case_SmallIntToStringIsCached"] = new("int.ToString() of a small number returns a cached string"),
        // FIXME: .NET 9's inliner model ("over 16 bytes and branching on its own state: not inlined", measured on
        // class methods and constructors) is too strict for a struct's override reached by devirtualizing a call
        // on its box: .NET 9 inlines `_name?.GetHashCode() ?? 0` there (0 bytes). The engine says boxed: safe side.
        ["ExactArgumentCases.Case_BoxWhoseOverrideReadsAReferenceField"] = new(".NET 9 inlines a devirtualized struct override that branches on its field", "net9.0"),
        // FIXME: an allocation inside a source callee that is not inlined (here `new T()` in a generic
        // factory) is reported at the callee's own site, not at every call; only framework, iterator
        // and async callees are charged at the call today.
        ["Probe3Cases.Case_GenericNewOfClass"] = new("the allocation is reported inside GenericFactory.Make<T>, not at the call"),
        // FIXME: a box whose only use is being unboxed again is removed by the JIT altogether, even over
        // the 528-byte limit (one measured shape so far); the engine applies the size limit and says heap.
        ["BoundaryCases.Case_BoxStruct66"] = new("the JIT eliminates a box that is only unboxed, whatever its size", "net10.0", "net11.0"),
        // FIXME: the catch block never runs in the probe (nothing throws, and a throw would itself allocate),
        // so every runtime measures 0 bytes; on .NET 8 the engine rightly says the object would be on the heap.
        ["ObjectCases.Case_InCatch"] = new("the allocation is in a catch block the probe never enters", "net8.0"),
        // FIXME: measured on .NET 9 only (one case): an object passed to a [MethodImpl(NoOptimization)] callee
        // is not allocated; .NET 8, 10 and 11 allocate it. The engine treats the callee as an escape everywhere.
        // FIXME: the foreach's collection comes from a call that always returns a List<int>; .NET 10 and 11 guess that
        // type from the profile (measured 0 bytes), while a polymorphic collection allocates (Case_ForeachIEnumerablePolymorphic);
        // the engine cannot tell the two apart here and says heap ("may"). .NET 8 and 9 allocate (40 bytes), as the engine says.
        ["RealCodeCases.Case_ForEachOverCallResult"] = new("the JIT guesses the collection type a call always returns; the engine sees only IEnumerable<T>", "net10.0", "net11.0"),
        ["InliningCases.Case_NoOptimizationHelper"] = new(".NET 9 does not allocate an object passed to a NoOptimization callee", "net9.0"),
    };

    public static (bool EngineAllocates, AllocationSite? Site) EngineVerdict(CorpusCase c, IReadOnlyList<AllocationSite> sites)
    {
        var site = sites.FirstOrDefault(s => s.Where.Path == c.Marker.Path && s.Where.Span.Start == c.Marker.Position);
        return (site is { Kind: AllocationKind.Heap or AllocationKind.Boxed }, site);
    }

    [Fact]
    public void Engine_agrees_with_every_runtime()
    {
        var report = new System.Text.StringBuilder();
        var summaries = new List<string>();
        var failures = new List<string>();
        foreach (var run in CorpusRun.All)
        {
            string tfm = run.Target.Tfm;
            var errors = new List<string>();
            var runtime = TargetRuntime.Parse(tfm);
            var analyzer = new AllocationAnalyzer(runtime) { OnInternalError = (node, ex) => errors.Add($"{node.GetLocation().GetLineSpan()}: {ex}") };
            var sitesByPath = run.Compilation.SyntaxTrees.ToDictionary(t => t.FilePath, t => (IReadOnlyList<AllocationSite>)analyzer.Analyze(run.Compilation, t));

            report.AppendLine($"== {tfm}: engine judged for {runtime.Description}; measured on {run.MeasuredOn}; C# {CorpusRun.Language}; {run.Skipped.Count} cases skipped");
            foreach (var s in run.Skipped) report.AppendLine($"skipped  {s.Name,-58} {s.Reason}");
            int agree = 0, total = 0;
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
                bool known = KnownDisagreements.TryGetValue(c.Name, out var k) && k.On(tfm);
                report.AppendLine($"{(ok ? "agree   " : known ? "known   " : "DISAGREE")} {c.Name,-58} engine={label,-6} runtime={c.Measurement.BytesPerCall:0.#} B/call{(ok || site is null ? "" : "  — " + site.Message)}");
                if (!ok && !known) unexpected.Add(c.Name);
                if (ok && known) unexpected.Add(c.Name + " (now agrees: remove it from KnownDisagreements)");
                if (site is { Kind: AllocationKind.Stack } && runtimeAllocates) dangerous.Add(c.Name);
            }
            var summary = $"runtime agreement ({tfm}): {agree}/{total} ({100.0 * agree / total:0.0}%)";
            output.WriteLine(summary);
            summaries.Add(summary);

            if (errors.Count > 0) failures.Add($"{tfm}: engine failures:\n" + string.Join("\n", errors));
            if (dangerous.Count > 0) failures.Add($"{tfm}: stack claimed where the runtime allocates: " + string.Join(", ", dangerous));
            if (unexpected.Count > 0) failures.Add($"{tfm}: unexpected disagreements: " + string.Join(", ", unexpected));
            if (agree < total * Bar) failures.Add($"{tfm}: agreement {agree}/{total} is under {Bar:P0}");
        }
        foreach (var s in summaries) report.AppendLine(s);
        var path = Path.Combine(RuntimeTargets.RepositoryRoot(), "artifacts", "runtime-agreement.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, report.ToString());
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
