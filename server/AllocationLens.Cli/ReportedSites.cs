using AllocationLens.Analysis;

namespace AllocationLens.Cli;

/// <summary>A site's verdict on one runtime (and the target that runtime loads).</summary>
public sealed record RuntimeVerdict(TargetRuntime Runtime, string Target, AllocationKind Kind);

/// <summary>
/// One line of the report: a site as its primary target and runtime judged it, the verdicts of the
/// other runtimes in play when any differs (<see cref="Runtimes"/>, primary first; empty when all agree),
/// and the targets it exists in when not all of the project's targets have it (`#if`).
/// </summary>
public sealed record ReportedSite(JudgedSite Judged, IReadOnlyList<RuntimeVerdict> Runtimes, IReadOnlyList<string>? OnlyIn)
{
    public AllocationSite Site => Judged.Site;
    public string Target => Judged.Target;
    public TargetRuntime Runtime => Judged.Runtime;

    /// <summary>"stack on .NET 10; heap on .NET 8 (net8.0)": each runtime's verdict, the target named where it is not the primary one.</summary>
    public string RuntimesText => string.Join("; ", Runtimes.Select(v =>
        $"{v.Kind.ToString().ToLowerInvariant()} on {v.Runtime.DisplayName}{(v.Target == Target ? "" : $" ({v.Target})")}"));
}

/// <summary>
/// One line per site, however many targets and runtimes judged it. A multi-targeted project is loaded
/// once per target (MSBuild compiles it once per target), and a library two apps load runs on two
/// runtimes; a report that printed each judgement would repeat every site. Sites are the same site when
/// they have the same file, span and category. The primary target (its runtime's origin first: an app's
/// own, a referencing app's, the chosen one, a target's own; then the newest runtime) gives the line;
/// the others only add a verdict where it differs, or the targets a site exists in when not all.
/// </summary>
public static class ReportedSites
{
    public static List<ReportedSite> Merge(IReadOnlyList<AnalyzedGroup> groups, IReadOnlyList<JudgedSite> results)
    {
        var report = new List<ReportedSite>(results.Count);
        var done = new HashSet<AnalyzedGroup>(ReferenceEqualityComparer.Instance);
        foreach (var group in groups)
        {
            if (done.Contains(group)) continue;
            var members = group.ProjectPath is null
                ? [group]
                : groups.Where(g => g.ProjectPath == group.ProjectPath).OrderBy(g => g.Origin).ThenByDescending(g => g.Runtime.IsCore).ThenByDescending(g => g.Runtime.Major).ToList();
            foreach (var member in members) done.Add(member);
            report.AddRange(MergeProject(members, results));
        }
        return report;
    }

    private static IEnumerable<ReportedSite> MergeProject(List<AnalyzedGroup> members, IReadOnlyList<JudgedSite> results)
    {
        var entries = new Dictionary<(string Path, int Start, int Length, string Category), Entry>();
        var order = new List<Entry>();
        foreach (var member in members)
        {
            for (int i = member.Start; i < member.End; i++)
            {
                var judged = results[i];
                var key = KeyOf(judged.Site);
                if (!entries.TryGetValue(key, out var entry))
                {
                    entries[key] = entry = new Entry(judged);
                    order.Add(entry);
                }
                else if (!entry.Targets.Contains(member.TargetFramework)) entry.Targets.Add(member.TargetFramework);
                entry.Verdicts.Add(new RuntimeVerdict(member.Runtime, member.TargetFramework, judged.Site.Kind));
            }
            foreach (var (runtime, sites) in member.OtherRuntimeSites)
                foreach (var site in sites)
                    if (entries.TryGetValue(KeyOf(site), out var entry))
                        entry.Verdicts.Add(new RuntimeVerdict(runtime, member.TargetFramework, site.Kind));
        }
        // One target: the analysis order as it was. Several: the file order, each site once.
        IEnumerable<Entry> ordered = members.Count == 1 ? order
            : order.OrderBy(e => e.First.Site.Where.Path, StringComparer.Ordinal).ThenBy(e => e.First.Site.Where.Span.Start).ThenBy(e => e.First.Site.Where.Span.Length);
        int targetCount = members.Select(m => m.TargetFramework).Distinct(StringComparer.Ordinal).Count();
        foreach (var entry in ordered)
        {
            var verdicts = entry.Verdicts.DistinctBy(v => v.Runtime.DisplayName).ToList();
            bool differ = verdicts.Any(v => v.Kind != entry.First.Site.Kind);
            yield return new ReportedSite(entry.First, differ ? verdicts : [], entry.Targets.Count < targetCount ? entry.Targets : null);
        }
    }

    private static (string, int, int, string) KeyOf(AllocationSite site) => (site.Where.Path, site.Where.Span.Start, site.Where.Span.Length, site.Category);

    private sealed class Entry(JudgedSite first)
    {
        public JudgedSite First { get; } = first;
        public List<string> Targets { get; } = [first.Target];
        public List<RuntimeVerdict> Verdicts { get; } = [];
    }
}
