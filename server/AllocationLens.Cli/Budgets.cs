using AllocationLens.Analysis;
using AllocationLens.Verification;
using AllocationLens.Workspace;

namespace AllocationLens.Cli;

/// <summary>
/// Allocation budgets for `analyze`: hot methods (attributes `HotPath`, `AllocationFree`, `NoAllocation`,
/// or `.allocationlens.json` at the analysed folder or a project's folder) checked against their sites,
/// and the exit code `--fail-on` asks for: 3 when a budget is exceeded (`budget`), or when any heap
/// (`heap`) or boxed (`boxed`) site sits inside a hot method. A budget counts what the hot method's source
/// callees allocate per call too (BudgetCheck); `heap`/`boxed` look at the method's own sites only.
/// </summary>
public sealed class Budgets
{
    public const int FailureExitCode = 3;

    public List<BudgetViolation> Violations { get; } = [];
    /// <summary>
    /// Every heap or boxed site inside a hot method, within its budget or not (cold ones only with --count-cold),
    /// with the kind it counts as: the JIT's verdict where `--verify` has one, else the static one.
    /// </summary>
    public List<(AllocationSite Site, AllocationKind Kind)> HotSites { get; } = [];

    /// <remarks>
    /// A multi-targeted project is checked in each target (a site may exist in only one), and each violation
    /// and hot site is reported once: in the primary target (ReportedSites' order), the others add only what it lacks.
    /// </remarks>
    /// <remarks>
    /// With <paramref name="verification"/> (`--verify`), a hot method's own sites count by the JIT's verdict
    /// for the runtime that runs them where the JIT judged them (a static heap site the JIT removed does not
    /// count; a static stack site it kept does), and by the static verdict elsewhere; callees stay static.
    /// </remarks>
    public static Budgets Check(IReadOnlyList<AnalyzedGroup> groups, List<JudgedSite> results, string analysedPath, TextWriter stderr, CancellationToken cancellationToken,
        bool countCold = false, AnalyzeVerification? verification = null)
    {
        var folders = new List<string> { Directory.Exists(analysedPath) ? analysedPath : Path.GetDirectoryName(analysedPath)! };
        folders.AddRange(groups.Where(g => g.ProjectPath is not null).Select(g => Path.GetDirectoryName(g.ProjectPath)!));
        var configuration = BudgetConfiguration.Load(folders);
        foreach (var problem in configuration.Problems) stderr.WriteLine($"allocation-lens: {problem}");

        var budgets = new Budgets();
        var seenViolations = new HashSet<(string, int, string)>();
        var seenHotSites = new HashSet<(string, int, int, string)>();
        var ordered = groups.GroupBy(g => g.ProjectPath ?? "").OrderBy(g => g.Key.Length == 0 ? 1 : 0).ThenBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g.Key.Length == 0 ? g : ReportedSites.Ranked(g));
        foreach (var group in ordered)
        {
            var byTree = results.GetRange(group.Start, group.End - group.Start).Select(r => r.Site)
                .GroupBy(s => s.Where.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
            foreach (var tree in group.Trees)
            {
                var sites = byTree.GetValueOrDefault(tree.FilePath) ?? [];
                var model = group.Compilation.GetSemanticModel(tree);
                var hot = HotMethods.In(tree, model, configuration.Budgets, cancellationToken).ToList();
                if (hot.Count == 0) continue;
                var verdictOf = verification is null ? null : JitVerdictFor(verification, group.Runtime.Moniker);
                AllocationKind KindOf(AllocationSite s) => verdictOf?.Invoke(s)?.Kind ?? s.Kind;
                budgets.HotSites.AddRange(sites.Where(s => KindOf(s) != AllocationKind.Stack
                        && hot.Any(h => h.Declaration.Span.Contains(s.Where.Span) && (s.Cold is null || countCold || h.Budget.CountCold)))
                    .Where(s => seenHotSites.Add((s.Where.Path, s.Where.Span.Start, s.Where.Span.Length, s.Category)))
                    .Select(s => (s, KindOf(s))));
                // Reached source callees count through their call summaries (cached per compilation), for the runtime that runs them.
                budgets.Violations.AddRange(BudgetCheck.Check(tree, hot, sites,
                    declaration => CallSummaries.OfMember(group.Compilation, declaration, group.Runtime, cancellationToken), cancellationToken, countCold, verdictOf)
                    .Where(v => seenViolations.Add((v.Declaration.Path, v.Declaration.Span.Start, v.Method))));
            }
        }
        return budgets;
    }

    public static int ExitCode(IReadOnlyCollection<string> failOn, Budgets budgets)
    {
        bool fail = failOn.Contains("budget") && budgets.Violations.Count > 0
            || failOn.Contains("heap") && budgets.HotSites.Any(s => s.Kind == AllocationKind.Heap)
            || failOn.Contains("boxed") && budgets.HotSites.Any(s => s.Kind == AllocationKind.Boxed);
        return fail ? FailureExitCode : 0;
    }

    /// <summary>
    /// The JIT's verdict on a site for the runtime that runs it (the one the static verdict is compared
    /// with), as the kind a budget counts: a kept box is boxed, any other kept allocation heap.
    /// </summary>
    private static Func<AllocationSite, (AllocationKind Kind, string Judge)?> JitVerdictFor(AnalyzeVerification verification, string runtimeMoniker) => site =>
        verification.Sites.GetValueOrDefault(site) is { Verdicts.Length: > 0 } jit && JitVerifier.Comparable(jit.Verdicts, runtimeMoniker, verification.Runtimes) is { } compared
            ? (compared.Kind == "stack" ? AllocationKind.Stack : site.Category == "box" ? AllocationKind.Boxed : AllocationKind.Heap, $"the JIT of .NET {compared.Runtime}")
            : null;
}
