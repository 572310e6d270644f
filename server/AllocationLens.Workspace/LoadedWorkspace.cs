using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.MSBuild;

namespace AllocationLens.Workspace;

/// <summary>A solution loaded through MSBuild, with what went wrong on the way, and each project's target.</summary>
public sealed class LoadedWorkspace
{
    public required Solution Solution { get; init; }
    public required IReadOnlyList<string> Diagnostics { get; init; }
    public required IReadOnlyDictionary<ProjectId, string> TargetFrameworks { get; init; }
    /// <summary>The workspace that holds the solution: MSBuildWorkspace, or the in-process loader's.</summary>
    public Microsoft.CodeAnalysis.Workspace? Workspace { get; init; }
    /// <summary>Projects MSBuild could not load (or that need an SDK that is not installed); their files are analysed ad hoc.</summary>
    public IReadOnlyList<ProjectFailure> Failures { get; init; } = [];

    /// <summary>The project files of <see cref="Failures"/>.</summary>
    public IReadOnlyList<string> FailedProjects => Failures.Select(f => f.ProjectPath).ToList();

    /// <summary>The runtimes the user chose for code no app of the workspace runs (`--runtime`, `allocationLens.runtime`).</summary>
    public RuntimeChoice RuntimeChoice { get; init; } = RuntimeChoice.NewestInstalled();

    private IReadOnlyDictionary<ProjectId, JudgedRuntimes>? _runtimes;

    /// <summary>Each project's runtimes (ProjectRuntimes): resolved once, on first use, from the loaded solution.</summary>
    public IReadOnlyDictionary<ProjectId, JudgedRuntimes> Runtimes =>
        _runtimes ??= ProjectRuntimes.Resolve(Solution, TargetOf, RuntimeChoice, InstalledDotnetRuntimes.Versions());

    /// <summary>The same load with another solution (the loaded one, changed: generators left out).</summary>
    public LoadedWorkspace WithSolution(Solution solution) => new()
    {
        Solution = solution, Diagnostics = Diagnostics, TargetFrameworks = TargetFrameworks, Workspace = Workspace, Failures = Failures,
        RuntimeChoice = RuntimeChoice,
        // The same projects keep their runtimes; a project added, removed or reloaded re-resolves them all.
        _runtimes = SameProjects(Solution, solution) ? _runtimes : null,
    };

    private static bool SameProjects(Solution before, Solution after) =>
        before.ProjectIds.Count == after.ProjectIds.Count
        && before.Projects.All(p => after.GetProject(p.Id) is { } q && q.FilePath == p.FilePath && q.ProjectReferences.SequenceEqual(p.ProjectReferences));

    /// <summary>The same load judged for other chosen runtimes (the setting changed): nothing is loaded again.</summary>
    public LoadedWorkspace WithRuntimeChoice(RuntimeChoice choice) => new()
    {
        Solution = Solution, Diagnostics = Diagnostics, TargetFrameworks = TargetFrameworks, Workspace = Workspace, Failures = Failures,
        RuntimeChoice = choice,
    };

    /// <summary>
    /// The same load after changes on disk (DiskChanges): another solution, the targets of the given
    /// projects read again, the failures of projects that now loaded dropped, and the runtimes resolved
    /// again (a project file edit may change RollForward, a reference, or make an app a library).
    /// </summary>
    public LoadedWorkspace WithReloaded(Solution solution, IReadOnlyCollection<ProjectId> reloaded)
    {
        var targets = TargetFrameworks.Where(t => solution.ContainsProject(t.Key) && !reloaded.Contains(t.Key)).ToDictionary();
        foreach (var id in reloaded)
            if (solution.GetProject(id) is { } project) targets[id] = TargetFrameworkReader.Read(project.FilePath, project.Name) ?? "net10.0";
        var loadedPaths = reloaded.Select(id => solution.GetProject(id)?.FilePath).OfType<string>().ToHashSet(StringComparer.Ordinal);
        return new()
        {
            Solution = solution, Diagnostics = Diagnostics, TargetFrameworks = targets, Workspace = Workspace,
            Failures = Failures.Where(f => !loadedPaths.Contains(f.ProjectPath)).ToList(),
            RuntimeChoice = RuntimeChoice,
        };
    }

    /// <summary>The project's compile target ("netstandard2.0"): what its code compiles against.</summary>
    public string TargetOf(ProjectId id) => TargetFrameworks.TryGetValue(id, out var tfm) ? tfm : "net10.0";

    private readonly Dictionary<ProjectFailure, TargetRuntime> _failureRuntimes = new();

    /// <summary>
    /// The runtime a project MSBuild could not load would run on (its files are judged ad hoc for it): read
    /// from its project file once per load, not on every edit of its files.
    /// </summary>
    public TargetRuntime RuntimeOf(ProjectFailure failure)
    {
        lock (_failureRuntimes)
        {
            if (!_failureRuntimes.TryGetValue(failure, out var runtime))
                _failureRuntimes[failure] = runtime = ProjectRuntimes.ForProjectFile(failure.ProjectPath, failure.TargetFramework, RuntimeChoice, InstalledDotnetRuntimes.Versions());
            return runtime;
        }
    }

    /// <summary>The runtime whose JIT runs the project, with its reason: what its hints are judged for.</summary>
    public TargetRuntime RuntimeOf(ProjectId id) => RuntimesOf(id).Primary;

    /// <summary>The project's runtimes: the primary one, and the others in play (another app that loads a library).</summary>
    public JudgedRuntimes RuntimesOf(ProjectId id) =>
        Runtimes.TryGetValue(id, out var runtimes) ? runtimes : new JudgedRuntimes(ProjectRuntimes.ForLibrary(TargetOf(id), RuntimeChoice, "a project added after the load"), [], RuntimeOrigin.Chosen);

    /// <summary>
    /// Of a file's documents (one per target of a multi-targeted project, or per project that links it),
    /// the one hints are judged in: the project whose runtime is primary by ProjectRuntimes' rules.
    /// </summary>
    public DocumentId? PrimaryDocument(System.Collections.Immutable.ImmutableArray<DocumentId> ids)
    {
        if (ids.IsDefaultOrEmpty) return null;
        if (ids.Length == 1) return ids[0];
        var primary = ProjectRuntimes.PrimaryOf(ids.Select(i => i.ProjectId), Runtimes);
        return ids.FirstOrDefault(i => i.ProjectId == primary) ?? ids[0];
    }

    /// <summary>The failed project a file belongs to: the one whose folder is nearest above it, if any.</summary>
    public ProjectFailure? FailureFor(string filePath)
    {
        var full = Path.GetFullPath(filePath);
        return Failures
            .Where(f => full.StartsWith(Path.GetDirectoryName(f.ProjectPath) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .MaxBy(f => f.ProjectPath.Length);
    }
}

/// <summary>
/// A project that could not be loaded: why (a sentence for users), and the target framework its
/// project file names, which its files are judged for ad hoc (null when the file does not say).
/// </summary>
public sealed record ProjectFailure(string ProjectPath, string? TargetFramework, string Message);

/// <summary>
/// Loads a solution, a project, or a folder (its solution, or every project in it) through
/// MSBuildWorkspace. Never throws for a broken project: failures become diagnostics, and callers fall
/// back to ad-hoc compilation for files no project owns.
/// </summary>
public static class WorkspaceLoader
{
    /// <summary>Starts composing Roslyn's workspace services for the in-process load, off this thread (a server calls it as it starts).</summary>
    public static void ComposeServicesEarly() => InProcessProjectLoader.ComposeServicesEarly();

    /// <summary>
    /// The global properties of every MSBuildWorkspace load (and of a project loaded again after a change
    /// on disk, ProjectReload). Never run a project's analyzers or generators we do not need: we only read its code.
    /// </summary>
    internal static readonly Dictionary<string, string> BuildHostProperties = new()
    {
        ["Configuration"] = "Release",
        ["RunAnalyzers"] = "false",
        ["RunAnalyzersDuringBuild"] = "false",
    };

    /// <param name="restore">Run `dotnet restore` for projects never restored. Only for trusted folders.</param>
    /// <param name="inProcess">
    /// Evaluate and design-time build the projects with MSBuild in this process (InProcessProjectLoader)
    /// rather than in MSBuildWorkspace's build host; it falls back to MSBuildWorkspace whenever it
    /// declines. For short processes (`analyze`), where the build host's cold start is most of the load.
    /// </param>
    /// <param name="cache">With <paramref name="inProcess"/>: design-time results kept between runs (DesignTimeCache).</param>
    public static async Task<LoadedWorkspace> LoadAsync(string path, Action<string>? log = null, IProgress<string>? progress = null, bool restore = true, CancellationToken cancellationToken = default, bool inProcess = false, DesignTimeCache? cache = null)
    {
        var registrationError = MsBuildRegistration.EnsureRegistered();
        if (registrationError is not null) throw new InvalidOperationException(registrationError);
        return await LoadCoreAsync(path, log, progress, restore, inProcess, cache, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kept separate so no Microsoft.Build type is touched before MSBuildLocator has registered.</summary>
    private static async Task<LoadedWorkspace> LoadCoreAsync(string path, Action<string>? log, IProgress<string>? progress, bool restore, bool inProcess, DesignTimeCache? cache, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var targets = Resolve(full);
        if (targets.Count == 0) throw new FileNotFoundException($"no .sln, .slnx or .csproj found at {full}");
        // Each target is restored at most once per load, also when the in-process load declines and the
        // build host loads it after: a restore that failed (a broken project) would only fail again.
        var restored = new HashSet<string>(StringComparer.Ordinal);
        async Task RestoreIfNeeded(string target)
        {
            if (!restore || !restored.Add(target) || !ProjectRestore.NeedsRestore(target)) return;
            progress?.Report($"restoring {Path.GetFileName(target)}");
            await ProjectRestore.RestoreAsync(target, log, cancellationToken).ConfigureAwait(false);
        }
        if (inProcess && targets.All(t => !t.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) || SdkSupport.MissingSdk(TargetFrameworkReader.Read(t), MsBuildRegistration.InstalledSdks) is null))
        {
            // A project that needs a missing SDK is left to the path below, which says so and judges it ad hoc.
            foreach (var target in targets) await RestoreIfNeeded(target).ConfigureAwait(false);
            progress?.Report($"loading {string.Join(", ", targets.Select(Path.GetFileName))}");
            if (await InProcessProjectLoader.TryLoadAsync(targets, log, cache, cancellationToken).ConfigureAwait(false) is { } loaded)
                return Completed(loaded.Solution, loaded.Workspace, new LoadReport(log));
        }

        var workspace = MSBuildWorkspace.Create(BuildHostProperties);
        var report = new LoadReport(log);
        // Roslyn raises this handler synchronously, while the open call that hit the problem runs, so the
        // empty-project check below sees every failure.
        workspace.RegisterWorkspaceFailedHandler(e =>
        {
            report.Record($"{e.Diagnostic.Kind}: {e.Diagnostic.Message}");
        });

        foreach (var target in targets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (target.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) && report.MissingSdk(target) is { } missing &&
                TargetFrameworkReader.ReadAll(target).All(t => SdkSupport.MissingSdk(t, MsBuildRegistration.InstalledSdks) is not null))
            {
                // Neither restore nor evaluation can succeed without the SDK: do not try. (A project with
                // one target that can be built is opened; the targets that cannot are dropped below.)
                report.Warn(missing);
                report.Fail(target, missing);
                continue;
            }
            await RestoreIfNeeded(target).ConfigureAwait(false);
            progress?.Report($"loading {Path.GetFileName(target)}");
            // The build host starts with the first open and inherits the current directory (MsBuildGate).
            using var gate = await MsBuildGate.EnterForBuildHostAsync(Path.GetDirectoryName(target)!, cancellationToken).ConfigureAwait(false);
            try
            {
                if (target.EndsWith(".sln", StringComparison.OrdinalIgnoreCase) || target.EndsWith(".slnx", StringComparison.OrdinalIgnoreCase))
                    await workspace.OpenSolutionAsync(target, cancellationToken: cancellationToken).ConfigureAwait(false);
                else if (!workspace.CurrentSolution.Projects.Any(p => string.Equals(p.FilePath, target, StringComparison.Ordinal)))
                    await workspace.OpenProjectAsync(target, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { throw; }
            catch (Exception ex)
            {
                report.Warn($"could not load {target}: {ex.Message}");
                // A solution that did not open is a failure too: its files are then judged ad hoc with this
                // reason, where before the load said it loaded no project and nothing else.
                report.Fail(target, null, ex.Message);
            }
        }

        return Completed(workspace.CurrentSolution, workspace, report);
    }

    /// <summary>
    /// Drops the projects MSBuild failed to evaluate or that need a missing SDK (each a failure judged
    /// ad hoc, or a lost target of a multi-targeted project), and reads each project's target.
    /// Nothing overrides a project's language version: Roslyn 5.12 binds C# 14, and the version changes
    /// codegen we model (cached static method groups from C# 11, for one).
    /// </summary>
    private static LoadedWorkspace Completed(Solution solution, Microsoft.CodeAnalysis.Workspace workspace, LoadReport report)
    {
        var diagnostics = report.Diagnostics;
        foreach (var project in solution.Projects.ToList())
        {
            if (project.FilePath is not { } file) continue;
            // MSBuildWorkspace keeps an empty project for a file it failed to evaluate: drop it and say so.
            if (project.DocumentIds.Count == 0 && diagnostics.FirstOrDefault(d => d.StartsWith("Failure", StringComparison.Ordinal) && d.Contains(file, StringComparison.Ordinal)) is { } failure)
            {
                solution = solution.RemoveProject(project.Id);
                report.Fail(file, null, failure["Failure: ".Length..]);
            }
            // A solution's project (or one target of a multi-targeted one) that needs a missing SDK.
            else if (report.MissingSdk(file, project.Name) is { } missing)
            {
                solution = solution.RemoveProject(project.Id);
                if (solution.Projects.Any(p => p.FilePath == file && report.MissingSdk(file, p.Name) is null))
                {
                    // The project's other targets are loaded and judge its files: only this target is lost.
                    var tfm = TargetFrameworkReader.Read(file, project.Name);
                    report.Warn($"{SdkSupport.MissingSdk(tfm, MsBuildRegistration.InstalledSdks)}; the {tfm} target of {Path.GetFileName(file)} is skipped (its other targets are loaded)");
                    continue;
                }
                report.Warn(missing);
                report.Fail(file, missing, projectName: project.Name);
            }
        }
        var tfms = new Dictionary<ProjectId, string>();
        foreach (var project in solution.Projects)
        {
            tfms[project.Id] = TargetFrameworkReader.Read(project.FilePath, project.Name) ?? "net10.0";
        }
        return new LoadedWorkspace { Solution = solution, Diagnostics = diagnostics, TargetFrameworks = tfms, Workspace = workspace, Failures = report.Failures };
    }

    /// <summary>The solution or projects a path stands for.</summary>
    public static IReadOnlyList<string> Resolve(string fullPath)
    {
        if (File.Exists(fullPath)) return [fullPath];
        if (!Directory.Exists(fullPath)) return [];
        var solutions = Directory.GetFiles(fullPath, "*.sln").Concat(Directory.GetFiles(fullPath, "*.slnx")).OrderBy(p => p, StringComparer.Ordinal).ToList();
        if (solutions.Count > 0) return [solutions[0]];
        return Directory.EnumerateFiles(fullPath, "*.csproj", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            // Judged below the folder only: a folder that itself lies under a dot-folder (~/.cache/..., ~/.local/src/...) is still searched.
            .Where(p => !Path.GetRelativePath(fullPath, p).Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules" || part.StartsWith('.')))
            .OrderBy(p => p, StringComparer.Ordinal).ToList();
    }
}
