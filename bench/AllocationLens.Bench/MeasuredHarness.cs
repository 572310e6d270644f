using AllocationLens.Analysis;
using AllocationLens.Cli;
using AllocationLens.Measurement;
using AllocationLens.Verification;

namespace AllocationLens.Bench;

/// <summary>
/// The differential harness's third column: `measure PATH --runtime R` with verification (the CLI's own
/// code, in process), then, for every site whose code ran, the static verdict and the JIT verdict each
/// against what the run measured. Measurement can say something in three cases only: samples at the site
/// (it allocated: a `stack` claim there is a hard disagreement when samples were taken in optimized code,
/// unless it is a once-per-process allocation by design with no more samples than processes; samples only
/// in tier-0 code, which never stack-allocates, leave a stack claim unsettled), no samples where the site's basic block provably ran
/// often enough for an allocation to be sampled (<see cref="BlockExecutions"/>: it allocated nothing, so a
/// heap claim is wrong and a stack claim confirmed), and otherwise nothing ("unsettled"). Then the
/// unexplained allocations (the model's blind spots) grouped by class.
/// </summary>
public static class MeasuredHarness
{
    public enum Measured { Allocated, AllocatedAtTierZero, NothingProven, Unsettled }

    public sealed record Row(AllocationSite Site, string Static, string? Jit, Measured Measured, string? Disagreement, SiteCoverage Coverage);

    public static async Task<int> RunAsync(string path, IReadOnlyList<string> runtimes, TextWriter output)
    {
        var options = new MeasureOptions(path, "text", runtimes, "Release", TimeSpan.FromMinutes(30), []) { Verify = true };
        var started = System.Diagnostics.Stopwatch.StartNew();
        var (run, exit) = await MeasureCommand.CollectAsync(options, null, Console.Error);
        if (run?.Measurement is not { } measurement) { Console.Error.WriteLine($"harness-measured: nothing measured on {path} (exit {exit})"); return 1; }
        var rows = Rows(run, measurement).ToList();
        foreach (var line in Lines(path, run, measurement, rows, started.Elapsed)) output.WriteLine(line);
        return 0;
    }

    public static IEnumerable<Row> Rows(AnalysisRun run, MeasurementReport measurement)
    {
        foreach (var reported in run.Report)
        {
            var site = reported.Site;
            var coverage = measurement.CoverageOf(site);
            if (coverage is not (SiteCoverage.Ran or SiteCoverage.RanOften)) continue;
            string? jit = run.Verification?.Sites.GetValueOrDefault(site) is { Verdicts.Length: > 0 } judged
                ? JitVerifier.Comparable(judged.Verdicts, reported.Runtime.Moniker, run.Verification.Runtimes)?.Kind
                : null;
            var disagreement = MeasuredLines.Disagreement(site, measurement, run.Verification, reported.Runtime.Moniker);
            // Samples only in tier-0 code settle nothing about a verdict on optimized code, except that it allocated (a heap claim holds).
            var measured = measurement.Sites.GetValueOrDefault(site) is { } m
                ? (site.VerdictNeedsNoJit && m.OptimizedSamples <= measurement.Processes ? Measured.Unsettled
                    : m.OptimizedSamples == 0 ? Measured.AllocatedAtTierZero : Measured.Allocated)
                : measurement.Unsampled.ContainsKey(site) ? Measured.NothingProven : Measured.Unsettled;
            yield return new Row(site, site.Kind == AllocationKind.Stack ? "stack" : "heap", jit, measured, disagreement, coverage);
        }
    }

    /// <summary>agree, disagree (hard), or unsettled, of a claim ("heap"/"stack") against the measurement.</summary>
    public static string Judge(string? claim, Measured measured) => (claim, measured) switch
    {
        (null, _) => "no verdict",
        (_, Measured.Unsettled) or ("stack", Measured.AllocatedAtTierZero) => "unsettled",
        ("stack", Measured.Allocated) or ("heap", Measured.NothingProven) => "disagree",
        _ => "agree",
    };

    private static IEnumerable<string> Lines(string path, AnalysisRun run, MeasurementReport measurement, List<Row> rows, TimeSpan elapsed)
    {
        yield return $"harness-measured {path}";
        yield return $"  {run.MeasuredRun?.Description}; {measurement.Processes} process(es), {string.Join(" and ", measurement.Sources)}; {elapsed.TotalSeconds:0} s in all";
        yield return $"  sites {run.Report.Count}; whose code ran {rows.Count} ({rows.Count(r => r.Coverage == SiteCoverage.RanOften)} ran often); " +
                     $"measured allocating {rows.Count(r => r.Measured is Measured.Allocated or Measured.AllocatedAtTierZero)} ({rows.Count(r => r.Measured == Measured.AllocatedAtTierZero)} only in tier-0 code), proven allocating nothing {rows.Count(r => r.Measured == Measured.NothingProven)}, unsettled {rows.Count(r => r.Measured == Measured.Unsettled)}";
        foreach (var (leg, claim) in new (string, Func<Row, string?>)[] { ("static", r => r.Static), ("JIT", r => r.Jit) })
        {
            var judged = rows.Select(r => (Row: r, Verdict: Judge(claim(r), r.Measured))).ToList();
            int agree = judged.Count(j => j.Verdict == "agree"), disagree = judged.Count(j => j.Verdict == "disagree");
            yield return $"  {leg,-6} vs measured: agree {agree}, disagree {disagree}" +
                         $" (of {agree + disagree} the measurement settles: {(agree + disagree == 0 ? "-" : ((double)agree / (agree + disagree)).ToString("P1"))}), " +
                         $"unsettled {judged.Count(j => j.Verdict == "unsettled")}, no verdict {judged.Count(j => j.Verdict == "no verdict")}";
            foreach (var claimed in new[] { "heap", "stack" })
            {
                var of = judged.Where(j => claim(j.Row) == claimed).ToList();
                yield return $"    {claimed,-5} claims: {of.Count(j => j.Verdict == "agree")} agree, {of.Count(j => j.Verdict == "disagree")} disagree, {of.Count(j => j.Verdict == "unsettled")} unsettled";
            }
            foreach (var group in judged.Where(j => j.Verdict == "disagree").GroupBy(j => $"{j.Row.Site.Category}: {DifferentialHarness.Reason(j.Row.Site)}").OrderByDescending(g => g.Count()))
            {
                yield return $"    disagree [{group.Count()}] {group.Key}";
                foreach (var (row, _) in group.Take(8))
                    yield return $"      {AnalyzeCommand.DisplayPath(row.Site.Where.Path)}:{row.Site.Where.Line + 1}: {(row.Site.Certain ? "certain" : "may")} {row.Static}, JIT {row.Jit ?? "-"}: {row.Site.Message}" +
                                 (measurement.Sites.GetValueOrDefault(row.Site) is { } m ? $" — measured {MeasuredLines.Figures(m)}" : row.Disagreement is { } d ? $" — {d}" : "");
            }
        }
        var unexplained = measurement.Unexplained;
        yield return $"  unexplained: ~{AllocationLens.Measurement.MeasuredFormat.Bytes(unexplained.Sum(u => u.Measured.Bytes))} in {unexplained.Count} place(s); by class:";
        foreach (var group in unexplained.GroupBy(u => ClassOf(u.TypeName)).OrderByDescending(g => g.Sum(u => u.Measured.Bytes)))
        {
            yield return $"    {group.Key,-28} ~{AllocationLens.Measurement.MeasuredFormat.Bytes(group.Sum(u => u.Measured.Bytes)),9} in {group.Count()} place(s)";
            foreach (var u in group.OrderByDescending(u => u.Measured.Bytes).Take(4))
                yield return $"      {MeasuredLines.UnexplainedWhere(u)}: {u.TypeName}: {MeasuredLines.Figures(u.Measured)} in {u.Method}";
        }
    }

    /// <summary>The class of an unexplained allocation, by the allocated type as the runtime names it.</summary>
    public static string ClassOf(string type) => type switch
    {
        _ when type.Contains("DisplayClass", StringComparison.Ordinal) => "closure",
        _ when type.Contains("Enumerator", StringComparison.Ordinal) => "enumerator",
        _ when type.Contains("+<", StringComparison.Ordinal) && type.Contains(">d__", StringComparison.Ordinal) => "iterator/async state machine",
        "System.String" => "string",
        _ when type.StartsWith("System.Func", StringComparison.Ordinal) || type.StartsWith("System.Action", StringComparison.Ordinal) || type.StartsWith("System.Predicate", StringComparison.Ordinal) => "delegate",
        _ when type.EndsWith("[]", StringComparison.Ordinal) => "array",
        _ when type.StartsWith("System.Collections.", StringComparison.Ordinal) => "collection",
        _ when type.StartsWith("System.Reflection.", StringComparison.Ordinal) || type.StartsWith("System.RuntimeType", StringComparison.Ordinal) => "reflection",
        _ when type.StartsWith("System.Threading.Tasks.", StringComparison.Ordinal) || type.Contains("AsyncStateMachineBox", StringComparison.Ordinal) => "task",
        _ when type.StartsWith("System.Text.", StringComparison.Ordinal) => "text building",
        _ when type.StartsWith("System.", StringComparison.Ordinal) && type.IndexOf('.', 7) < 0 => "System value or object",
        _ => "other",
    };
}
