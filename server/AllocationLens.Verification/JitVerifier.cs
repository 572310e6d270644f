using System.Collections.Immutable;
using AllocationLens.Analysis;

namespace AllocationLens.Verification;

/// <summary>Lines of one document to verify (1-based, inclusive): a file, or one method.</summary>
public sealed record VerifyScope(string Document, int FromLine, int ToLine);

/// <summary>
/// What to verify: a project (with the target framework the analysis judged) or loose files; the
/// scopes (none: everything); the runtimes the user asked for (none: every runtime that can run it).
/// </summary>
public sealed record VerifyRequest(string? ProjectPath, IReadOnlyList<string> LooseFiles, string TargetFramework,
    IReadOnlyList<VerifyScope> Scopes, IReadOnlyCollection<string> Runtimes);

/// <summary>One runtime's part of a verification.</summary>
public sealed record RuntimeOutcome(InstalledRuntime Runtime, IReadOnlyList<JudgedAllocation> Judged, IReadOnlyList<UnpreparedMethod> Unprepared, string? Error);

/// <summary>What the JIT said about one site, across runtimes: verdicts, and notes where it could not say.</summary>
public sealed record SiteJit(ImmutableArray<JitVerdict> Verdicts, ImmutableArray<string> Notes);

/// <summary>A finished verification: the build, each runtime's outcome, or the one problem that stopped it.</summary>
/// <param name="Limits">What the user should know about how far the verdicts reach for this project (ReadyToRun, NativeAOT).</param>
public sealed record VerificationRun(BuildOutcome? Build, IReadOnlyList<RuntimeOutcome> Runtimes, string? Problem, IReadOnlyList<string>? Limits = null)
{
    public bool Succeeded => Problem is null;

    /// <summary>Verdicts per site, in the order of <see cref="Runtimes"/> (newest first).</summary>
    public Dictionary<AllocationSite, SiteJit> MatchSites(IReadOnlyList<AllocationSite> sites)
    {
        var verdicts = new Dictionary<AllocationSite, List<JitVerdict>>(ReferenceEqualityComparer.Instance);
        var notes = new Dictionary<AllocationSite, List<string>>(ReferenceEqualityComparer.Instance);
        foreach (var outcome in Runtimes)
            SiteMatcher.Match(sites, outcome.Runtime.VersionText, outcome.Judged, verdicts, notes);
        // A site the JIT's verdict would mean something for, yet no IL instruction answered: say so, once,
        // when some runtime's host did run (a failed host already says why for all its sites).
        if (Runtimes.Any(r => r.Error is null))
            foreach (var site in sites)
                if (SiteMatcher.ExpectsJitVerdict(site) && !verdicts.ContainsKey(site) && !notes.ContainsKey(site))
                    notes[site] = [NoInstruction];
        var result = new Dictionary<AllocationSite, SiteJit>(ReferenceEqualityComparer.Instance);
        foreach (var site in verdicts.Keys.Concat(notes.Keys).Distinct(ReferenceEqualityComparer.Instance).Cast<AllocationSite>())
            result[site] = new SiteJit(
                verdicts.TryGetValue(site, out var v) ? [.. v] : [],
                notes.TryGetValue(site, out var n) ? [.. n] : []);
        return result;
    }

    /// <summary>Why a site no allocating IL instruction answered stays unjudged.</summary>
    public const string NoInstruction = "the Release build has no allocating IL instruction here for the JIT to judge (the allocation may happen inside a called method)";

    /// <summary>Every method that could not be judged, once per method, with the runtimes it failed on.</summary>
    public IEnumerable<(string Method, string Reason, IReadOnlyList<string> Runtimes)> Unprepared() =>
        Runtimes.SelectMany(r => r.Unprepared.Select(u => (u.Method, u.Reason, Runtime: r.Runtime.VersionText)))
            .GroupBy(u => (u.Method, u.Reason))
            .Select(g => (g.Key.Method, g.Key.Reason, (IReadOnlyList<string>)g.Select(u => u.Runtime).ToList()));
}

/// <summary>
/// "Verify with JIT": build in Release (private folder, reused while unchanged), then on each runtime
/// that can run the build, compile the methods in scope with the real JIT and judge every allocating
/// instruction (docs/architecture.md, "Verification"). Never throws for user input: a failed build,
/// a missing runtime or a crashing host becomes <see cref="VerificationRun.Problem"/> or a runtime's
/// <see cref="RuntimeOutcome.Error"/>. Cancellation kills the build or host in flight.
/// </summary>
public static class JitVerifier
{
    public static async Task<VerificationRun> VerifyAsync(VerifyRequest request, Action<string>? progress, CancellationToken cancellationToken)
    {
        var installed = InstalledRuntimes.Discover();
        int major = TargetMajor(request.TargetFramework);
        var runtimes = InstalledRuntimes.For(major, request.Runtimes, installed);
        if (runtimes.Count == 0)
        {
            var have = installed.Count == 0 ? "none" : string.Join(", ", installed.Select(r => r.VersionText));
            var asked = request.Runtimes.Count == 0 ? "" : $" matching --runtime {string.Join(" ", request.Runtimes)}";
            return new VerificationRun(null, [], $"no installed .NET runtime{asked} can run a {request.TargetFramework} build (installed: {have})");
        }

        BuildOutcome build;
        try
        {
            build = request.ProjectPath is { } project
                ? await ReleaseBuild.BuildProjectAsync(project, request.TargetFramework, progress, cancellationToken).ConfigureAwait(false)
                : await ReleaseBuild.BuildLooseFilesAsync(request.LooseFiles, request.TargetFramework, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return new VerificationRun(null, [], $"could not build for verification: {e.Message}");
        }
        if (!build.Succeeded)
            return new VerificationRun(build, [], "the Release build failed, so the JIT was not asked; static verdicts stay:\n  " + string.Join("\n  ", build.Errors));

        var outcomes = new List<RuntimeOutcome>();
        foreach (var runtime in runtimes)
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Invoke($"Compiling with the JIT of {runtime}");
            var run = await JitHostRun.RunAsync(runtime, build.AssemblyPath!, request.Scopes, cancellationToken).ConfigureAwait(false);
            if (run.Report is null) { outcomes.Add(new RuntimeOutcome(runtime, [], [], run.Error ?? "the JIT host wrote no report")); continue; }
            var (judged, unprepared) = JitVerdicts.Judge(run.Report, run.Listing);
            outcomes.Add(new RuntimeOutcome(runtime, judged, unprepared, run.Error));
        }
        return new VerificationRun(build, outcomes, null, request.ProjectPath is { } p ? PublishLimits(p) : []);
    }

    /// <summary>
    /// A project published ReadyToRun or NativeAOT does not run what the JIT compiles at run time
    /// (precompiled code, rejitted later only for hot ReadyToRun methods): the verdicts describe the
    /// JIT's code, which is what `dotnet run` and a plain publish execute.
    /// </summary>
    public static IReadOnlyList<string> PublishLimits(string projectPath)
    {
        string text;
        try { text = File.ReadAllText(projectPath); } catch (IOException) { return []; } catch (UnauthorizedAccessException) { return []; }
        var limits = new List<string>();
        if (System.Text.RegularExpressions.Regex.IsMatch(text, @"<PublishAot>\s*true\s*</PublishAot>", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            limits.Add("this project publishes with NativeAOT, whose compiler makes its own decisions: these are the JIT's verdicts, for `dotnet run` and JIT-compiled publishes");
        if (System.Text.RegularExpressions.Regex.IsMatch(text, @"<PublishReadyToRun>\s*true\s*</PublishReadyToRun>", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
            limits.Add("this project publishes ReadyToRun: published code starts precompiled (crossgen's decisions) and only hot methods are rejitted into what these verdicts describe");
        return limits;
    }

    /// <summary>"net8.0" → 8, "net10.0-windows" → 10, "netcoreapp3.1" → 3; 0 (any runtime) for netstandard and unknown monikers.</summary>
    public static int TargetMajor(string targetFramework)
    {
        var tfm = targetFramework.Split('-')[0].ToLowerInvariant();
        var digits = tfm.StartsWith("netcoreapp", StringComparison.Ordinal) ? tfm[10..]
            : tfm.StartsWith("net", StringComparison.Ordinal) && !tfm.StartsWith("netstandard", StringComparison.Ordinal) ? tfm[3..] : "";
        // "net48" has no dot: .NET Framework, which no runtime here runs; treat it like netstandard.
        return digits.Contains('.') && Version.TryParse(digits, out var v) ? v.Major : 0;
    }

    /// <summary>
    /// The verdict the static one (judged for <paramref name="targetFramework"/>) is compared with: the
    /// target's own runtime's. When no runtime of the target's major was verified at all, the oldest
    /// verified runtime stands in (a net7.0 project verified on .NET 8 and 10 compares with 8).
    /// </summary>
    public static JitVerdict? Comparable(IReadOnlyList<JitVerdict> verdicts, string targetFramework, IEnumerable<string> verifiedRuntimes)
    {
        int major = TargetMajor(targetFramework);
        var versions = verifiedRuntimes.Select(ParseVersion).ToList();
        if (versions.Count == 0) return null;
        int compareMajor = versions.Any(v => v.Major == major) ? major : versions.Min()!.Major;
        return verdicts.FirstOrDefault(v => ParseVersion(v.Runtime).Major == compareMajor);
    }

    public static Version ParseVersion(string runtime) => Version.TryParse(runtime.Split('-')[0], out var v) ? v : new Version(0, 0);

    /// <summary>True when the JIT kept an allocation the engine called `stack`, or removed one it called heap or boxed.</summary>
    public static bool Disagrees(AllocationKind staticKind, JitVerdict verdict) =>
        (staticKind == AllocationKind.Stack) != (verdict.Kind == "stack");
}
