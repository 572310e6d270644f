using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Cli;

/// <summary>A site's verdict on one runtime (and the target that runtime loads); <see cref="Kind"/> null: that runtime allocates nothing there.</summary>
public sealed record RuntimeVerdict(TargetRuntime Runtime, string Target, AllocationKind? Kind)
{
    public string KindText => Kind is { } k ? k.ToString().ToLowerInvariant() : "none";
}

/// <summary>
/// One line of the report: a site as its primary target and runtime judged it, the verdicts of the
/// other runtimes in play when any differs (<see cref="Runtimes"/>, primary first; empty when all agree),
/// and the targets it exists in when not all of the project's targets have its code (`#if`).
/// </summary>
public sealed record ReportedSite(JudgedSite Judged, IReadOnlyList<RuntimeVerdict> Runtimes, IReadOnlyList<string>? OnlyIn)
{
    public AllocationSite Site => Judged.Site;
    public string Target => Judged.Target;
    public TargetRuntime Runtime => Judged.Runtime;

    /// <summary>"stack on .NET 10; heap on .NET 8 (net8.0); no allocation on .NET 11": each runtime's verdict, the target named where it is not this line's.</summary>
    public string RuntimesText => string.Join("; ", Runtimes.Select(v =>
        $"{(v.Kind is { } k ? k.ToString().ToLowerInvariant() : "no allocation")} on {v.Runtime.DisplayName}{(v.Target == Target ? "" : $" ({v.Target})")}"));
}

/// <summary>
/// One line per site, however many targets and runtimes judged it. A multi-targeted project is loaded
/// once per target (MSBuild compiles it once per target), and a library two apps load runs on two
/// runtimes; a report that printed each judgement would repeat every site. Sites are the same site when
/// they have the same file, span and category. Targets are ranked (the runtime's origin: an app's own, a
/// referencing app's, the chosen one, a target's own; then the newest runtime; then, for .NET Framework,
/// the newest net4x build before netstandard), and each target's primary runtime before its others; the
/// best-ranked judgement that finds the site gives the line. A target whose code has the site's
/// expression but no site there (its runtime removes the allocation) adds a "none" verdict; only a target
/// whose code lacks the expression (`#if`) leaves the site "only in" the others.
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
            var members = group.ProjectPath is null ? [group] : Ranked(groups.Where(g => g.ProjectPath == group.ProjectPath)).ToList();
            foreach (var member in members) done.Add(member);
            report.AddRange(MergeProject(members, results));
        }
        return report;
    }

    /// <summary>A project's targets, the primary one first (see the class comment).</summary>
    public static IEnumerable<AnalyzedGroup> Ranked(IEnumerable<AnalyzedGroup> targets) => targets
        .OrderBy(g => g.Origin).ThenByDescending(g => g.Runtime.IsCore).ThenByDescending(g => g.Runtime.Major)
        .ThenBy(g => g.TargetFramework.StartsWith("netstandard", StringComparison.OrdinalIgnoreCase))
        .ThenByDescending(g => g.TargetFramework, StringComparer.Ordinal);

    private static IEnumerable<ReportedSite> MergeProject(List<AnalyzedGroup> members, IReadOnlyList<JudgedSite> results)
    {
        var entries = new Dictionary<(string Path, int Start, int Length, string Category), Entry>();
        var order = new List<Entry>();
        Entry EntryFor(AllocationSite site, string target, TargetRuntime runtime)
        {
            if (!entries.TryGetValue(KeyOf(site), out var entry))
            {
                entries[KeyOf(site)] = entry = new Entry(new JudgedSite(site, target, runtime));
                order.Add(entry);
            }
            return entry;
        }
        // Rank: member index × 100 + 0 for its primary runtime, 1.. for its others.
        var starts = new HashSet<(int Member, string Path, int Start, string Category)>();
        for (int m = 0; m < members.Count; m++)
        {
            var member = members[m];
            for (int i = member.Start; i < member.End; i++)
            {
                var site = results[i].Site;
                var entry = EntryFor(site, member.TargetFramework, member.Runtime);
                entry.Present.Add(m);
                entry.Verdicts.Add((m * 100, new RuntimeVerdict(member.Runtime, member.TargetFramework, site.Kind)));
                starts.Add((m, site.Where.Path, site.Where.Span.Start, site.Category));
            }
            for (int o = 0; o < member.OtherRuntimeSites.Count; o++)
            {
                var (runtime, sites) = member.OtherRuntimeSites[o];
                foreach (var site in sites)
                {
                    var entry = EntryFor(site, member.TargetFramework, runtime);
                    entry.Present.Add(m);
                    entry.Verdicts.Add((m * 100 + o + 1, new RuntimeVerdict(runtime, member.TargetFramework, site.Kind)));
                }
            }
        }

        // Where a target has the site's code but one of its runtimes reported nothing: "none" there.
        var treesByMember = members.Select(g => g.Trees.Where(t => t.FilePath.Length > 0).GroupBy(t => t.FilePath, StringComparer.Ordinal).ToDictionary(t => t.Key, t => t.First(), StringComparer.Ordinal)).ToList();
        foreach (var entry in order)
        {
            var site = entry.First.Site;
            for (int m = 0; m < members.Count; m++)
            {
                var member = members[m];
                if (!entry.Present.Contains(m))
                {
                    // The same expression with another span (an `#if` inside it): present, judged on its own line.
                    if (starts.Contains((m, site.Where.Path, site.Where.Span.Start, site.Category))) { entry.Present.Add(m); continue; }
                    if (!treesByMember[m].TryGetValue(site.Where.Path, out var tree) || !HasCode(tree, site.Where.Span)) continue;
                    entry.Present.Add(m);
                }
                if (!entry.Verdicts.Any(v => v.Rank == m * 100)) entry.Verdicts.Add((m * 100, new RuntimeVerdict(member.Runtime, member.TargetFramework, null)));
                for (int o = 0; o < member.OtherRuntimeSites.Count; o++)
                    if (!entry.Verdicts.Any(v => v.Rank == m * 100 + o + 1))
                        entry.Verdicts.Add((m * 100 + o + 1, new RuntimeVerdict(member.OtherRuntimeSites[o].Runtime, member.TargetFramework, null)));
            }
        }

        // One target: the analysis order as it was. Several: the file order, each site once.
        IEnumerable<Entry> ordered = members.Count == 1 ? order
            : order.OrderBy(e => e.First.Site.Where.Path, StringComparer.Ordinal).ThenBy(e => e.First.Site.Where.Span.Start).ThenBy(e => e.First.Site.Where.Span.Length);
        foreach (var entry in ordered)
        {
            var verdicts = entry.Verdicts.OrderBy(v => v.Rank).Select(v => v.Verdict).DistinctBy(v => v.Runtime.DisplayName).ToList();
            bool differ = verdicts.Any(v => v.Kind != entry.First.Site.Kind);
            var onlyIn = entry.Present.Count < members.Count ? entry.Present.Order().Select(m => members[m].TargetFramework).ToList() : null;
            yield return new ReportedSite(entry.First, differ ? verdicts : [], onlyIn);
        }
    }

    /// <summary>True when the tree has code starting exactly at the span (not in a disabled `#if` region, which holds no tokens).</summary>
    private static bool HasCode(SyntaxTree tree, TextSpan span)
    {
        if (span.End > tree.Length) return false;
        var token = tree.GetRoot().FindToken(span.Start);
        return token.Span.Start == span.Start && !token.IsMissing;
    }

    private static (string, int, int, string) KeyOf(AllocationSite site) => (site.Where.Path, site.Where.Span.Start, site.Where.Span.Length, site.Category);

    private sealed class Entry(JudgedSite first)
    {
        public JudgedSite First { get; } = first;
        /// <summary>The members (targets) whose code has the site.</summary>
        public SortedSet<int> Present { get; } = [];
        public List<(int Rank, RuntimeVerdict Verdict)> Verdicts { get; } = [];
    }
}
