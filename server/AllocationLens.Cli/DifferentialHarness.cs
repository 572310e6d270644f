using System.Text.RegularExpressions;
using AllocationLens.Analysis;
using AllocationLens.Verification;

namespace AllocationLens.Cli;

/// <summary>One site both the engine and the JIT judged: the static verdict, and the JIT verdict of the target's own runtime.</summary>
public sealed record ComparedSite(AllocationSite Site, string Target, JitVerdict Jit)
{
    /// <summary>static heap/boxed ⇔ JIT heap; static stack ⇔ JIT stack.</summary>
    public bool Agrees => !JitVerifier.Disagrees(Site.Kind, Jit);

    /// <summary>The worst error the tool can make: a `stack` on a site the JIT allocates on the heap.</summary>
    public bool FalseStack => Site.Kind == AllocationKind.Stack && Jit.Kind != "stack";

    /// <summary>The cause a disagreement is grouped by: the rule (category) and the message's reason, with names and numbers left out.</summary>
    public string Cause => $"{Site.Category}: {DifferentialHarness.Reason(Site)}";
}

/// <summary>Agreement on one rule (category), or overall.</summary>
public sealed record Agreement(string Name, int Judged, int Agreed, int FalseStack, int CertainFalseStack, int FalseHeap)
{
    public double Ratio => Judged == 0 ? 1 : (double)Agreed / Judged;
}

/// <summary>
/// The differential harness's result for one path: every site the JIT judged, compared with the static
/// verdict of the target's own runtime (<see cref="JitVerifier.Comparable"/>), with agreement per rule and
/// overall, and the disagreements grouped by cause, worst class first.
/// </summary>
public sealed record HarnessReport(string Path, int Sites, int Unjudged, IReadOnlyList<ComparedSite> Compared,
    IReadOnlyCollection<string> Runtimes, IReadOnlyList<string> Problems, int UnpreparedMethods)
{
    public Agreement Overall => Of("overall", Compared);

    public IEnumerable<Agreement> PerRule => Compared.GroupBy(c => c.Site.Category).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Of(g.Key, g));

    /// <summary>Static `stack` where the JIT says heap: the worst class, reported first.</summary>
    public IEnumerable<ComparedSite> FalseStacks => Compared.Where(c => c.FalseStack);

    /// <summary>Static heap/boxed where the JIT says stack: a missed optimisation, reported, never a failure.</summary>
    public IEnumerable<ComparedSite> FalseHeaps => Compared.Where(c => !c.Agrees && !c.FalseStack);

    private static Agreement Of(string name, IEnumerable<ComparedSite> sites)
    {
        var list = sites.ToList();
        return new Agreement(name, list.Count, list.Count(c => c.Agrees), list.Count(c => c.FalseStack),
            list.Count(c => c.FalseStack && c.Site.Certain), list.Count(c => !c.Agrees && !c.FalseStack));
    }

    /// <summary>The text report: totals, the table per rule, then each disagreement by cause, worst class first.</summary>
    public IEnumerable<string> Lines()
    {
        var overall = Overall;
        yield return $"harness {Path}";
        yield return $"  runtimes: {(Runtimes.Count == 0 ? "none" : string.Join(", ", Runtimes.Select(r => ".NET " + r)))}; " +
                     $"{Sites} site(s) of JIT-judgeable rules, {Compared.Count} judged by the JIT, {Unjudged} not judged, {UnpreparedMethods} method(s) not compiled";
        foreach (var problem in Problems) yield return $"  problem: {problem}";
        yield return $"  agreement: {overall.Agreed}/{overall.Judged} = {overall.Ratio:P1}; static stack where the JIT says heap: {overall.FalseStack} ({overall.CertainFalseStack} certain); static heap where the JIT says stack: {overall.FalseHeap}";
        yield return $"  {"rule",-12} {"judged",7} {"agree",7} {"ratio",7} {"stack→heap",11} {"certain",8} {"heap→stack",11}";
        foreach (var rule in PerRule)
            yield return $"  {rule.Name,-12} {rule.Judged,7} {rule.Agreed,7} {rule.Ratio,7:P1} {rule.FalseStack,11} {rule.CertainFalseStack,8} {rule.FalseHeap,11}";
        foreach (var (title, sites) in new[] { ("static stack, JIT heap (worst)", FalseStacks), ("static heap/boxed, JIT stack", FalseHeaps) })
        {
            var groups = sites.GroupBy(c => c.Cause).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
            if (groups.Count == 0) continue;
            yield return $"  {title}: {groups.Sum(g => g.Count())} site(s) in {groups.Count} cause(s)";
            foreach (var group in groups)
            {
                yield return $"    [{group.Count()}] {group.Key}";
                foreach (var c in group.OrderBy(c => c.Site.Where.Path, StringComparer.Ordinal).ThenBy(c => c.Site.Where.Line))
                    yield return $"      {Relative(c.Site.Where.Path)}:{c.Site.Where.Line + 1}: {(c.Site.Certain ? "certain" : "may")} {c.Site.Kind.ToString().ToLowerInvariant()}, JIT .NET {c.Jit.Runtime} {c.Jit.Kind}: {c.Site.Message}";
            }
        }
    }

    private string Relative(string file)
    {
        var root = Directory.Exists(Path) ? Path : System.IO.Path.GetDirectoryName(Path) ?? "";
        var relative = System.IO.Path.GetRelativePath(root, file);
        return (relative.StartsWith("..", StringComparison.Ordinal) ? file : relative).Replace('\\', '/');
    }
}

/// <summary>
/// The differential harness: analyse a file, project, solution or folder as `analyze --verify` does
/// (in process, the same code), and compare the static verdict with the JIT's on every object, array, box
/// and delegate site the JIT judged.
/// </summary>
public static partial class DifferentialHarness
{
    /// <summary>The rules whose sites the JIT can judge (the others have no allocation instruction of their own to match).</summary>
    public static readonly IReadOnlySet<string> JudgeableCategories = new HashSet<string>(StringComparer.Ordinal) { "object", "array", "box", "delegate" };

    public static async Task<HarnessReport?> RunAsync(string path, IReadOnlyList<string> runtimes, string? msbuildProblem, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var options = new AnalyzeOptions(path, "json", null, Verify: true, RuntimeFilter: runtimes);
        var (run, _) = await AnalyzeCommand.CollectAsync(options, msbuildProblem, stderr, cancellationToken).ConfigureAwait(false);
        if (run?.Verification is not { } verification) return null;
        var compared = new List<ComparedSite>();
        int sites = 0, unjudged = 0;
        foreach (var (site, target, runtime) in run.Results)
        {
            if (!JudgeableCategories.Contains(site.Category)) continue;
            sites++;
            if (verification.Sites.GetValueOrDefault(site) is { Verdicts.Length: > 0 } jit
                && JitVerifier.Comparable(jit.Verdicts, runtime.Moniker, verification.Runtimes) is { } verdict)
                compared.Add(new ComparedSite(site, target, verdict));
            else unjudged++;
        }
        return new HarnessReport(Path.GetFullPath(path), sites, unjudged, compared, verification.Runtimes, verification.Problems, verification.Unprepared.Count);
    }

    /// <summary>
    /// A site's reason without its particulars: for `stack`, the assumptions it rests on (every step but the
    /// closing headline); otherwise the message after its subject. Quoted names become `…` and numbers N, so
    /// sites with the same cause group together.
    /// </summary>
    public static string Reason(AllocationSite site)
    {
        string text;
        if (site.Kind == AllocationKind.Stack)
        {
            var assumptions = site.Why.Take(Math.Max(0, site.Why.Length - 1)).Select(w => Normalize(w.Text)).Distinct().ToList();
            text = "stays off the heap" + (assumptions.Count == 0 ? "" : ": " + string.Join("; ", assumptions));
        }
        else
        {
            text = site.Message.StartsWith(site.Subject, StringComparison.Ordinal) ? site.Message[site.Subject.Length..].TrimStart(' ', ':') : site.Message;
            if (text.StartsWith("escapes: ", StringComparison.Ordinal)) text = text["escapes: ".Length..];
            text = Normalize(text);
        }
        return text;
    }

    private static string Normalize(string text) => Numbers().Replace(Quoted().Replace(text, "`…`"), "N");

    [GeneratedRegex("`[^`]*`")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\b\d+\b")]
    private static partial Regex Numbers();
}
