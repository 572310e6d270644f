using System.Collections.Concurrent;
using Microsoft.Build.Evaluation;
using MSBuildProject = Microsoft.Build.Evaluation.Project;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Host.Mef;

namespace AllocationLens.Workspace;

/// <summary>
/// Loads C# projects with the registered SDK's MSBuild inside this process: an evaluation, then a
/// design-time build of Compile and CoreCompile whose compiler command line becomes the Roslyn
/// project. That is what MSBuildWorkspace's build host does in a child process; doing it here saves
/// the child's cold start and lets the workspace's service composition run on the other core
/// meanwhile (CsvHelper: project open 1.8–2.0 s → 1.3 s, bench/README). For `analyze`, a short
/// process where that start is most of the load.
///
/// It declines, returning null with the reason, whenever its result could differ from
/// MSBuildWorkspace's: a project it cannot evaluate or build cleanly, a global.json that picks
/// another SDK, a project that is not C#, a solution it cannot read. The caller then loads through
/// MSBuildWorkspace, which also reports those problems the usual way. InProcessProjectLoaderTests check
/// that the two loaders give the same projects (documents, references, options) on the test projects.
/// </summary>
internal static class InProcessProjectLoader
{
    /// <summary>The global properties of Roslyn's build host for a design-time build, plus ours (Release, no analyzers).</summary>
    private static readonly Dictionary<string, string> DesignTimeProperties = new()
    {
        ["DesignTimeBuild"] = "true",
        // Forces CoreCompile to run (and report its command line) even when its outputs are up to date.
        ["NonExistentFile"] = "__NonExistentSubDir__\\__NonExistentFile__",
        ["BuildProjectReferences"] = "false",
        ["BuildingProject"] = "false",
        ["ProvideCommandLineArgs"] = "true",
        ["SkipCompilerExecution"] = "true",
        ["ContinueOnError"] = "ErrorAndContinue",
        ["ShouldUnsetParentConfigurationAndPlatform"] = "false",
        ["Configuration"] = "Release",
        ["RunAnalyzers"] = "false",
        ["RunAnalyzersDuringBuild"] = "false",
    };

    /// <summary>
    /// The build host's evaluation settings (those of Visual Studio's design-time builds): among them,
    /// elements whose condition is false are not evaluated further, and a missing import is skipped.
    /// </summary>
    private const ProjectLoadSettings LoadSettings = ProjectLoadSettings.RejectCircularImports | ProjectLoadSettings.IgnoreEmptyImports
        | ProjectLoadSettings.IgnoreMissingImports | ProjectLoadSettings.IgnoreInvalidImports
        | ProjectLoadSettings.DoNotEvaluateElementsWithFalseCondition | ProjectLoadSettings.FailOnUnresolvedSdk;

    /// <summary>Why the in-process load declined, for the log; the caller falls back to MSBuildWorkspace.</summary>
    private sealed class DeclinedException(string reason) : Exception(reason);

    /// <summary>
    /// Roslyn's workspace services, composed once per process from MEF parts (WorkspaceServicesComposition).
    /// On a thread of its own: on the thread pool it held one of the two threads a 2-core machine starts
    /// with, while the first hints held the other and the load's own work waited for a third.
    /// </summary>
    private static readonly Lazy<Task<Microsoft.CodeAnalysis.Host.HostServices>> s_services = new(() =>
        Task.Factory.StartNew(() => WorkspaceServicesComposition.Create(), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));

    /// <summary>
    /// Starts composing the workspace services now, off the caller's thread. The language server calls it
    /// as it starts: the load begins only after the editor's `initialized`, and composing is the longest
    /// step on its path when the design-time results come from the cache.
    /// </summary>
    public static void ComposeServicesEarly() => _ = s_services.Value;

    /// <param name="cache">Where design-time results are kept between runs (DesignTimeCache), or null for none.</param>
    public static async Task<(Solution Solution, Microsoft.CodeAnalysis.Workspace Workspace)?> TryLoadAsync(
        IReadOnlyList<string> targets, Action<string>? log, DesignTimeCache? cache, CancellationToken cancellationToken)
    {
        // ALLOCATION_LENS_TIMINGS=1: the load's own phases, on the log (bench/README's profile of analyze).
        var clock = Environment.GetEnvironmentVariable("ALLOCATION_LENS_TIMINGS") is { Length: > 0 } ? System.Diagnostics.Stopwatch.StartNew() : null;
        Action<string> phase = clock is null ? _ => { } : what => log?.Invoke($"workspace in-process load: {what} at {clock.ElapsedMilliseconds} ms");
        // The workspace's services are composed from MEF parts (0.3 s) while MSBuild evaluates on another thread.
        var workspace = Task.Run(async () => { var w = new AdhocWorkspace(await s_services.Value.ConfigureAwait(false)); phase("workspace services composed"); return w; }, cancellationToken);
        // MSBuild's BuildManager is one per process, and its build moves the current directory (MsBuildGate).
        var gate = await MsBuildGate.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = DateTime.UtcNow;
            var why = "";
            IReadOnlyList<DesignTimeProject>? built = cache?.TryRead(targets, DesignTimeProperties, out why);
            if (built is not null) phase("design-time results read from the cache");
            else
            {
                if (cache is not null) phase($"design-time cache missed ({why})");
                var (projects, inputs) = await Task.Run(() => BuildAll(targets, phase, cancellationToken), cancellationToken).ConfigureAwait(false);
                cache?.Write(targets, DesignTimeProperties, projects, inputs, started, log);
                built = projects;
            }
            foreach (var project in built)
                foreach (var warning in project.Warnings)
                    log?.Invoke($"workspace MSBuild warning for {project.Name}: {warning}");
            // Reading the references (most of what is left) overlaps the composition of the workspace's services.
            var prepared = built;
            var infos = await Task.Run(() => DesignTimeSolution.Prepare(prepared), cancellationToken).ConfigureAwait(false);
            phase("projects prepared");
            var adhoc = await workspace.ConfigureAwait(false);
            var solution = adhoc.CurrentSolution;
            foreach (var info in infos) solution = solution.AddProject(info);
            phase("solution made");
            return (solution, adhoc);
        }
        catch (DeclinedException declined)
        {
            log?.Invoke($"workspace in-process load declined ({declined.Message}); loading through MSBuildWorkspace");
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log?.Invoke($"workspace in-process load failed ({ex.GetType().Name}: {ex.Message}); loading through MSBuildWorkspace");
            return null;
        }
        finally { gate.Dispose(); }
    }

    private static (List<DesignTimeProject> Projects, DesignTimeInputs Inputs) BuildAll(IReadOnlyList<string> targets, Action<string> phase, CancellationToken cancellationToken)
    {
        var pending = new Queue<string>(targets.SelectMany(ProjectsOf));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var built = new List<DesignTimeProject>();
        var inputs = new DesignTimeInputs();
        var errors = new ErrorCollector();
        using var collection = new ProjectCollection(DesignTimeProperties, [errors], ToolsetDefinitionLocations.Default);
        var parameters = new BuildParameters(collection) { Loggers = [errors], EnableNodeReuse = false, MaxNodeCount = 1 };
        BuildManager.DefaultBuildManager.BeginBuild(parameters);
        try
        {
            while (pending.TryDequeue(out var path))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!seen.Add(path)) continue;
                if (!path.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)) throw new DeclinedException($"{Path.GetFileName(path)} is not a C# project");
                if (!File.Exists(path)) throw new DeclinedException($"{path} does not exist");
                if (!GlobalJsonSdk.Allows(Path.GetDirectoryName(path)!, MsBuildRegistration.RegisteredSdk, MsBuildRegistration.InstalledSdks))
                    throw new DeclinedException($"global.json above {Path.GetFileName(path)} selects another SDK than {MsBuildRegistration.RegisteredSdk}");
                var project = Evaluate(collection, path, null, errors);
                phase($"{Path.GetFileName(path)} evaluated");
                var single = project.GetPropertyValue("TargetFramework");
                var many = project.GetPropertyValue("TargetFrameworks");
                var name = Path.GetFileNameWithoutExtension(path);
                int first = built.Count;
                if (single.Length > 0 || many.Length == 0)
                {
                    built.Add(Build(project, name, single.Length > 0 ? single : null, errors, inputs));
                }
                else
                {
                    // As MSBuildWorkspace does: one project per target framework, named "Name(tfm)".
                    foreach (var tfm in many.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        built.Add(Build(Evaluate(collection, path, tfm, errors), $"{name}({tfm})", tfm, errors, inputs));
                }
                phase($"{Path.GetFileName(path)} built");
                // Every referenced project is loaded, as MSBuildWorkspace does, also one that only brings a
                // generator (ReferenceOutputAssembly="false"): it is judged too, though not referenced.
                // Each target framework may reference its own.
                foreach (var reference in built.Skip(first).SelectMany(p => p.ProjectReferences)) pending.Enqueue(reference);
            }
        }
        finally { BuildManager.DefaultBuildManager.EndBuild(); }
        return (built, inputs);
    }

    /// <summary>The projects a target stands for: itself, or a solution's projects.</summary>
    private static IEnumerable<string> ProjectsOf(string target)
    {
        if (target.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)) return [Path.GetFullPath(target)];
        if (!target.EndsWith(".sln", StringComparison.OrdinalIgnoreCase) && !target.EndsWith(".slnx", StringComparison.OrdinalIgnoreCase))
            throw new DeclinedException($"{Path.GetFileName(target)} is neither a project nor a solution");
        Microsoft.Build.Construction.SolutionFile solution;
        try { solution = Microsoft.Build.Construction.SolutionFile.Parse(target); }
        // MSBuild's message for a solution it cannot parse carries the inner exception's stack trace: its first line says it.
        catch (Exception ex) { throw new DeclinedException($"{Path.GetFileName(target)} could not be read: {ex.Message.Split('\n', 2)[0].Trim()}"); }
        return solution.ProjectsInOrder
            .Where(p => p.ProjectType != Microsoft.Build.Construction.SolutionProjectType.SolutionFolder)
            .Select(p => Path.GetFullPath(p.AbsolutePath))
            .ToList();
    }

    private static MSBuildProject Evaluate(ProjectCollection collection, string path, string? targetFramework, ErrorCollector errors)
    {
        var global = targetFramework is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["TargetFramework"] = targetFramework };
        MSBuildProject project;
        try { project = new MSBuildProject(path, global, toolsVersion: null, collection, LoadSettings); }
        catch (Microsoft.Build.Exceptions.InvalidProjectFileException ex) { throw new DeclinedException($"{Path.GetFileName(path)} does not evaluate: {ex.BaseMessage}"); }
        errors.ThrowIfAny(path);
        return project;
    }

    private static DesignTimeProject Build(MSBuildProject project, string name, string? targetFramework, ErrorCollector errors, DesignTimeInputs inputs)
    {
        var instance = project.CreateProjectInstance();
        foreach (var required in (string[])["Compile", "CoreCompile"])
            if (!instance.Targets.ContainsKey(required)) throw new DeclinedException($"{name} has no {required} target");
        string[] targets = instance.Targets.ContainsKey("DesignTimeMarkupCompilation") ? ["Compile", "CoreCompile", "DesignTimeMarkupCompilation"] : ["Compile", "CoreCompile"];
        var request = new BuildRequestData(instance, targets, hostServices: null, BuildRequestDataFlags.ProvideProjectStateAfterBuild);
        var result = BuildManager.DefaultBuildManager.BuildRequest(request);
        errors.ThrowIfAny(project.FullPath);
        if (result.OverallResult != BuildResultCode.Success)
            throw new DeclinedException($"the design-time build of {name} failed{(result.Exception is { } ex ? ": " + ex.Message : "")}");
        var state = result.ProjectStateAfterBuild ?? instance;
        var commandLine = state.GetItems("CscCommandLineArgs").Select(i => i.EvaluatedInclude).ToArray();
        if (commandLine.Length == 0) throw new DeclinedException($"the design-time build of {name} gave no compiler command line");
        var directory = Path.GetDirectoryName(project.FullPath)!;
        string? FullPath(string value) => value.Length > 0 ? Path.GetFullPath(value, directory) : null;
        DesignTimeProject.CompileItem[] compile = [.. state.GetItems("Compile").Select(i => new DesignTimeProject.CompileItem(Path.GetFullPath(i.EvaluatedInclude, directory), i.GetMetadataValue("Link")))];
        inputs.AddProject(project.FullPath, project.Imports.Select(i => i.ImportedProject.FullPath), FullPath(state.GetPropertyValue("ProjectAssetsFile")),
            FullPath(state.GetPropertyValue("BaseIntermediateOutputPath")), compile.Select(c => c.Path));
        return new DesignTimeProject(
            project.FullPath, name, targetFramework, commandLine,
            compile,
            [.. state.GetItems("ProjectReference").Select(r => Path.GetFullPath(r.GetMetadataValue("FullPath")))],
            FullPath(state.GetPropertyValue("TargetPath")),
            FullPath(state.GetPropertyValue("TargetRefPath")),
            state.GetItems("IntermediateAssembly").FirstOrDefault() is { } assembly ? FullPath(assembly.EvaluatedInclude) : null,
            FullPath(state.GetPropertyValue("CompilerGeneratedFilesOutputPath")),
            state.GetPropertyValue("RootNamespace"),
            errors.TakeWarnings());
    }

    /// <summary>
    /// Turns the first MSBuild error into a decline (MSBuildWorkspace then reports it in its own words),
    /// and keeps warnings for the project they came with: the build host shows them too.
    /// </summary>
    private sealed class ErrorCollector : ILogger
    {
        private readonly ConcurrentQueue<string> _errors = new();
        private readonly ConcurrentQueue<string> _warnings = new();
        public LoggerVerbosity Verbosity { get; set; } = LoggerVerbosity.Quiet;
        public string? Parameters { get; set; }
        public void Initialize(IEventSource eventSource)
        {
            eventSource.ErrorRaised += (_, e) => _errors.Enqueue($"{e.Code}: {e.Message}");
            eventSource.WarningRaised += (_, e) => _warnings.Enqueue($"{e.Code}: {e.Message}");
        }
        public void Shutdown() { }

        /// <summary>The warnings since the last call, each once.</summary>
        public string[] TakeWarnings()
        {
            var taken = new List<string>();
            while (_warnings.TryDequeue(out var warning)) taken.Add(warning);
            return [.. taken.Distinct(StringComparer.Ordinal)];
        }

        public void ThrowIfAny(string path)
        {
            if (_errors.TryDequeue(out var first))
            {
                _errors.Clear();
                throw new DeclinedException($"MSBuild reported {first} for {Path.GetFileName(path)}");
            }
        }
    }
}
