using AllocationLens.Analysis;
using AllocationLens.Verification;

namespace AllocationLens.Cli;

/// <summary>
/// `analyze --verify`: runs "Verify with JIT" on every project analysed, and collects the JIT's
/// verdicts per site, the methods that could not be prepared and the problems that stopped a project.
/// Progress goes to stderr when it is a terminal (quiet when redirected), so stdout stays the report.
/// </summary>
public sealed class AnalyzeVerification
{
    public Dictionary<AllocationSite, SiteJit> Sites { get; } = new(ReferenceEqualityComparer.Instance);
    public List<(string Method, string Reason, IReadOnlyList<string> Runtimes)> Unprepared { get; } = [];
    public List<string> Problems { get; } = [];
    /// <summary>Sites a JIT verdict means something for (SiteMatcher.ExpectsJitVerdict), over every project verified or not.</summary>
    public int Judgeable { get; private set; }
    /// <summary>Of <see cref="Judgeable"/>, those the JIT of some runtime judged.</summary>
    public int Judged { get; private set; }
    public SortedSet<string> Runtimes { get; } = new(Comparer<string>.Create((a, b) => JitVerifier.ParseVersion(b).CompareTo(JitVerifier.ParseVersion(a))));

    public static async Task<AnalyzeVerification> RunAsync(IReadOnlyList<AnalyzedGroup> groups, List<JudgedSite> results,
        IReadOnlyCollection<string> runtimes, TextWriter stderr, CancellationToken cancellationToken)
    {
        var verification = new AnalyzeVerification();
        // Progress on a terminal only; problems always (they go to stderr below).
        var progress = ReferenceEquals(stderr, Console.Error) && Console.IsErrorRedirected ? TextWriter.Null : stderr;
        foreach (var group in groups)
        {
            var name = group.ProjectPath is { } p ? AnalyzeCommand.DisplayPath(p) : $"{group.LooseFiles.Count} file(s)";
            progress.WriteLine($"allocation-lens: verifying {name} with the JIT");
            var request = new VerifyRequest(group.ProjectPath, group.LooseFiles, group.TargetFramework, [], runtimes);
            var run = await JitVerifier.VerifyAsync(request, line => progress.WriteLine($"allocation-lens:   {line}"), cancellationToken).ConfigureAwait(false);
            if (!run.Succeeded)
            {
                verification.Problems.Add($"{name}: {run.Problem}");
                stderr.WriteLine($"allocation-lens: {name}: {run.Problem}");
                continue;
            }
            foreach (var outcome in run.Runtimes)
            {
                verification.Runtimes.Add(outcome.Runtime.VersionText);
                if (outcome.Error is { } error) { verification.Problems.Add($"{name}: {error}"); stderr.WriteLine($"allocation-lens: {name}: {error}"); }
            }
            var sites = results.GetRange(group.Start, group.End - group.Start).Select(r => r.Site).ToList();
            verification.Judgeable += sites.Count(SiteMatcher.ExpectsJitVerdict);
            foreach (var (site, jit) in run.MatchSites(sites))
            {
                verification.Sites[site] = jit;
                if (jit.Verdicts.Length > 0 && SiteMatcher.ExpectsJitVerdict(site)) verification.Judged++;
            }
            foreach (var limit in run.Limits ?? []) verification.Problems.Add($"{name}: note: {limit}");
            verification.Unprepared.AddRange(run.Unprepared());
        }
        return verification;
    }

    /// <summary>"JIT judged 245 of 437 sites (2 unprepared methods)": how much of what the JIT could judge it did.</summary>
    public string Coverage => $"JIT judged {Judged} of {Judgeable} sites ({Unprepared.Select(u => u.Method).Distinct().Count()} unprepared methods)";

    /// <summary>The text report's closing lines: agreement counts and what could not be judged.</summary>
    public IEnumerable<string> Summary()
    {
        yield return $"jit: verified on {(Runtimes.Count == 0 ? "no runtime" : string.Join(", ", Runtimes.Select(r => ".NET " + r)))}; {Coverage}";
        foreach (var (method, reason, runtimes) in Unprepared) yield return $"jit: could not judge {method} ({string.Join(", ", runtimes)}): {reason}";
        foreach (var problem in Problems) yield return $"jit: {problem}";
    }
}
