using System.Globalization;
using static AllocationLens.Measurement.MeasuredFormat;
using AllocationLens.Analysis;
using AllocationLens.Measurement;
using AllocationLens.Verification;

namespace AllocationLens.Cli;

/// <summary>
/// How `measure` words a site's measurement beside its static and JIT verdicts, in text, JSON and SARIF.
/// Figures are estimates from sampling, so they read "~" with the number of samples behind them, and name
/// the tests that were running when the samples were taken (the outermost test method on the stack). A
/// site that took no sample is only said to have allocated nothing where that can be known: it did not
/// run, or its basic block provably ran often enough that an allocation of the smallest size there would
/// have been sampled with a probability above 99% (<see cref="BlockExecutions"/>: the count of a measured
/// one-object site in the same block, lowered by two standard errors, times the chance that one object of
/// the site's size is sampled, at least five expected samples). Otherwise it is "no samples", which a small
/// volume (under about 100 KB) explains as well as no allocation; a method recompiled at tier 1 or on-stack
/// replaced "ran often", which alone never settles a site (30 calls of a small object are a few hundred bytes).
/// </summary>
public static class MeasuredLines
{
    /// <summary>The `measured:` line of a site ("~1.2 MB, ~50,000 objects (37 samples)"), with the disagreement where the legs disagree.</summary>
    public static string Text(AllocationSite site, MeasurementReport report, AnalyzeVerification? verification, string primaryRuntime)
    {
        var disagreement = Disagreement(site, report, verification, primaryRuntime) is { } d ? $"  <-- DISAGREES: {d}" : "";
        if (report.Sites.TryGetValue(site, out var measured))
            return $"    measured: {Figures(measured)}{InTests(measured)}{disagreement}{TierZeroNote(site, measured)}";
        return "    measured: " + CoverageText(report.CoverageOf(site)) + disagreement;
    }

    public static string CoverageText(SiteCoverage coverage) => coverage switch
    {
        SiteCoverage.NeverRan => "never ran (its method was never called)",
        SiteCoverage.Ran => "its method ran; no samples here (under the sampling's resolution of about 100 KB, or no allocation)",
        SiteCoverage.RanOften => "its method ran often (tier 1 or OSR); no samples here (under the sampling's resolution of about 100 KB, or no allocation)",
        _ => "not measured",
    };

    public static string CoverageWord(SiteCoverage coverage) => coverage switch
    {
        SiteCoverage.NeverRan => "never-ran",
        SiteCoverage.Ran => "ran",
        SiteCoverage.RanOften => "ran-often",
        _ => "not-measured",
    };

    /// <summary>"~1.2 MB, ~50,000 objects (37 samples)".</summary>
    public static string Figures(SiteMeasurement measured) =>
        $"~{Bytes(measured.Bytes)}, ~{Count(measured.Objects)} objects ({measured.Samples.ToString("N0", CultureInfo.InvariantCulture)} sample{(measured.Samples == 1 ? "" : "s")})";

    /// <summary>How many tests the samples were taken in, and the one with most bytes: " in 14 tests; most: Class.Method (~1.1 MB)"; empty without tests.</summary>
    public static string InTests(SiteMeasurement measured)
    {
        if (measured.TestCount == 0) return "";
        var (test, bytes) = measured.TopTests(1).First();
        return measured.TestCount == 1
            ? $" in 1 test: {ShortTest(test)} (~{Bytes(bytes)})"
            : $" in {measured.TestCount.ToString("N0", CultureInfo.InvariantCulture)} tests; most: {ShortTest(test)} (~{Bytes(bytes)})";
    }

    /// <summary>A `stack` site measured only in unoptimized code: the allocation is real, the verdict (about optimized code) untested.</summary>
    private static string TierZeroNote(AllocationSite site, SiteMeasurement measured) =>
        site.Kind == AllocationKind.Stack && measured.OptimizedSamples == 0
            ? "  (all in tier-0 code, which never stack-allocates: the verdict is about optimized code, which did not run here)"
            : "";

    /// <summary>"Namespace.Class.Method" → "Class.Method".</summary>
    public static string ShortTest(string test)
    {
        int last = test.LastIndexOf('.');
        int before = last > 0 ? test.LastIndexOf('.', last - 1) : -1;
        return before < 0 ? test : test[(before + 1)..];
    }

    /// <summary>
    /// The legs' disagreement on a site: the static verdict, or the JIT's verdict on the runtime the site was
    /// judged for, says `stack`, yet allocations were measured there in optimized code (tier 0 never
    /// stack-allocates, and both verdicts are about optimized code); or the static verdict says heap, yet
    /// the site's block ran often enough that an allocation would have been sampled (see the class comment). Null when they agree. A `stack`
    /// that holds whatever the JIT does (a cached delegate, `Array.Empty`) still allocates once per process
    /// that runs it, and one object gives at most one sample: it disagrees only with more samples than processes.
    /// </summary>
    public static string? Disagreement(AllocationSite site, MeasurementReport? report, AnalyzeVerification? verification, string primaryRuntime)
    {
        if (report is null) return null;
        if (site.Kind != AllocationKind.Stack && report.Unsampled.GetValueOrDefault(site) is { } unsampled)
            return $"static {(site.Kind == AllocationKind.Boxed ? "boxed" : "heap")}, yet its code ran at least ~{Count(unsampled.Executions)} times " +
                   $"(as the allocation at line {unsampled.Neighbour.Where.Lines.Start.Line + 1} counts) and nothing was sampled here (~{Count(unsampled.ExpectedSamples)} samples expected if it allocated)";
        if (report.Sites.GetValueOrDefault(site) is not { } measured) return null;
        // Both `stack` verdicts are about optimized code: samples taken at tier 0 (no stack allocation there) contradict neither.
        if (measured.OptimizedSamples == 0) return null;
        if (site.Kind == AllocationKind.Stack && (!site.VerdictNeedsNoJit || measured.OptimizedSamples > report.Processes))
            return $"static stack, yet measured ~{Bytes(measured.Bytes)}";
        if (verification?.Sites.GetValueOrDefault(site) is { Verdicts.Length: > 0 } jit
            && JitVerifier.Comparable(jit.Verdicts, primaryRuntime, verification.Runtimes) is { Kind: "stack" } compared)
            return $"JIT .NET {compared.Runtime} stack, yet measured ~{Bytes(measured.Bytes)}";
        return null;
    }

    /// <summary>The report's closing lines: the unexplained allocations, then what the run was and where the rest went.</summary>
    public static IEnumerable<string> Summary(MeasurementReport report, MeasuredRun run)
    {
        if (report.Unexplained.Count > 0)
        {
            yield return "unexplained allocations (your code, no site reported there):";
            foreach (var u in report.Unexplained)
                yield return $"{UnexplainedWhere(u)}: {u.TypeName}: {Figures(u.Measured)} in {u.Method}{InTests(u.Measured)}";
        }
        double inSites = report.Sites.Values.Sum(m => m.Bytes), unexplained = report.Unexplained.Sum(u => u.Measured.Bytes);
        yield return $"measured: {run.Description}; {report.Processes} .NET process(es), {string.Join(" and ", report.Sources.DefaultIfEmpty("no allocation events"))}" +
            $"; ~{Bytes(inSites)} at {report.Sites.Count} site(s), ~{Bytes(unexplained)} unexplained, ~{Bytes(report.Outside.Bytes)} outside your code";
    }

    public static string UnexplainedWhere(UnexplainedAllocation u) =>
        u.Path is null ? "(no source)" : $"{AnalyzeCommand.DisplayPath(u.Path)}:{u.Line}:{u.Column}";

    /// <summary>A site's `measured` object in JSON and SARIF: estimated totals for the run, rounded to whole bytes and objects.</summary>
    public static object? Json(AllocationSite site, MeasurementReport? report) =>
        report?.Sites.GetValueOrDefault(site) is { } m ? JsonWithTests(m) : null;

    public static object JsonFigures(SiteMeasurement m) => new { bytes = (long)Math.Round(m.Bytes), objects = (long)Math.Round(m.Objects), samples = m.Samples };

    /// <summary>The figures with the tests that allocated there: how many, and the three with most bytes ("NS.Class.Method").</summary>
    public static object JsonWithTests(SiteMeasurement m) => new
    {
        bytes = (long)Math.Round(m.Bytes),
        objects = (long)Math.Round(m.Objects),
        samples = m.Samples,
        tests = m.TestCount,
        topTests = m.TopTests(3).Select(t => new { test = t.Test, bytes = (long)Math.Round(t.Bytes) }).ToArray(),
    };

    public static object UnexplainedJson(UnexplainedAllocation u) => new
    {
        path = u.Path is null ? null : AnalyzeCommand.DisplayPath(u.Path),
        line = u.Path is null ? (int?)null : u.Line,
        column = u.Path is null ? (int?)null : u.Column,
        method = u.Method,
        type = u.TypeName,
        measured = JsonWithTests(u.Measured),
    };
}

/// <summary>What ran under measurement, for the report's last line: "dotnet test MeasureFixture -c Release (exit code 0)".</summary>
public sealed record MeasuredRun(string Description);
