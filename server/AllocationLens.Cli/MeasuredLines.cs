using System.Globalization;
using AllocationLens.Analysis;
using AllocationLens.Measurement;
using AllocationLens.Verification;

namespace AllocationLens.Cli;

/// <summary>
/// How `measure` words a site's measurement beside its static and JIT verdicts, in text, JSON and SARIF.
/// Figures are estimates from sampling, so they read "~" with the number of samples behind them; a site
/// that took no sample is only said to have allocated nothing where that can be known (it did not run),
/// and otherwise "no samples", which a small volume (under about 100 KB) explains as well as no allocation.
/// </summary>
public static class MeasuredLines
{
    /// <summary>The `measured:` line of a site ("~1.2 MB, ~50,000 objects (37 samples)"), with the disagreement where the legs disagree.</summary>
    public static string Text(AllocationSite site, MeasurementReport report, AnalyzeVerification? verification, string primaryRuntime)
    {
        if (report.Sites.TryGetValue(site, out var measured))
        {
            var line = $"    measured: {Figures(measured)}";
            if (Disagreement(site, report, verification, primaryRuntime) is { } disagreement) line += $"  <-- DISAGREES: {disagreement}";
            return line;
        }
        return "    measured: " + CoverageText(report.CoverageOf(site));
    }

    public static string CoverageText(SiteCoverage coverage) => coverage switch
    {
        SiteCoverage.NeverRan => "never ran (its method was never called)",
        SiteCoverage.Ran => "its method ran; no samples here (under the sampling's resolution of about 100 KB, or no allocation)",
        _ => "not measured",
    };

    public static string CoverageWord(SiteCoverage coverage) => coverage switch
    {
        SiteCoverage.NeverRan => "never-ran",
        SiteCoverage.Ran => "ran",
        _ => "not-measured",
    };

    /// <summary>"~1.2 MB, ~50,000 objects (37 samples)".</summary>
    public static string Figures(SiteMeasurement measured) =>
        $"~{Bytes(measured.Bytes)}, ~{Count(measured.Objects)} objects ({measured.Samples.ToString("N0", CultureInfo.InvariantCulture)} sample{(measured.Samples == 1 ? "" : "s")})";

    /// <summary>
    /// The legs' disagreement on a measured site: the static verdict, or the JIT's verdict on the runtime the
    /// site was judged for, says `stack`, yet allocations were measured there. Null when they agree. A `stack`
    /// that holds whatever the JIT does (a cached delegate, `Array.Empty`) still allocates once per process
    /// that runs it, and one object gives at most one sample: it disagrees only with more samples than processes.
    /// </summary>
    public static string? Disagreement(AllocationSite site, MeasurementReport? report, AnalyzeVerification? verification, string primaryRuntime)
    {
        if (report?.Sites.GetValueOrDefault(site) is not { } measured) return null;
        if (site.Kind == AllocationKind.Stack && (!site.VerdictNeedsNoJit || measured.Samples > report.Processes))
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
                yield return $"{UnexplainedWhere(u)}: {u.TypeName}: {Figures(u.Measured)} in {u.Method}";
        }
        double inSites = report.Sites.Values.Sum(m => m.Bytes), unexplained = report.Unexplained.Sum(u => u.Measured.Bytes);
        yield return $"measured: {run.Description}; {report.Processes} .NET process(es), {string.Join(" and ", report.Sources.DefaultIfEmpty("no allocation events"))}" +
            $"; ~{Bytes(inSites)} at {report.Sites.Count} site(s), ~{Bytes(unexplained)} unexplained, ~{Bytes(report.Outside.Bytes)} outside your code";
    }

    public static string UnexplainedWhere(UnexplainedAllocation u) =>
        u.Path is null ? "(no source)" : $"{AnalyzeCommand.DisplayPath(u.Path)}:{u.Line}:{u.Column}";

    /// <summary>A site's `measured` object in JSON and SARIF: estimated totals for the run, rounded to whole bytes and objects.</summary>
    public static object? Json(AllocationSite site, MeasurementReport? report) =>
        report?.Sites.GetValueOrDefault(site) is { } m ? JsonFigures(m) : null;

    public static object JsonFigures(SiteMeasurement m) => new { bytes = (long)Math.Round(m.Bytes), objects = (long)Math.Round(m.Objects), samples = m.Samples };

    public static object UnexplainedJson(UnexplainedAllocation u) => new
    {
        path = u.Path is null ? null : AnalyzeCommand.DisplayPath(u.Path),
        line = u.Path is null ? (int?)null : u.Line,
        column = u.Path is null ? (int?)null : u.Column,
        method = u.Method,
        type = u.TypeName,
        measured = JsonFigures(u.Measured),
    };

    /// <summary>1.2 MB, 340 KB, 512 B (decimal units, as `dotnet-counters` prints them).</summary>
    public static string Bytes(double bytes) => bytes switch
    {
        >= 1e9 => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1e6 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1e3 => (bytes / 1e3).ToString("0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    /// <summary>A count to three significant digits (an estimate, not a tally): 912,138 → 912,000.</summary>
    public static string Count(double count)
    {
        if (count < 1000) return Math.Round(count).ToString("N0", CultureInfo.InvariantCulture);
        double scale = Math.Pow(10, Math.Floor(Math.Log10(count)) - 2);
        return (Math.Round(count / scale) * scale).ToString("N0", CultureInfo.InvariantCulture);
    }
}

/// <summary>What ran under measurement, for the report's last line: "dotnet test MeasureFixture -c Release (exit code 0)".</summary>
public sealed record MeasuredRun(string Description);
