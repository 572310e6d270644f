using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Build.Evaluation;
using MSBuildProject = Microsoft.Build.Evaluation.Project;
using Microsoft.Build.Execution;
using Microsoft.Build.Framework;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
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
/// MSBuildWorkspace, which also reports those problems the usual way. WorkspaceLoaderTests checks the
/// two loaders give the same projects (documents, references, options) on the test projects.
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

    /// <summary>MSBuild's BuildManager is one per process: one load at a time.</summary>
    private static readonly SemaphoreSlim OneLoad = new(1, 1);

    /// <summary>A project as its design-time build left it.</summary>
    private sealed record BuiltProject(string Path, string Name, string? TargetFramework, ProjectInstance State, string[] CommandLine);

    /// <summary>Why the in-process load declined, for the log; the caller falls back to MSBuildWorkspace.</summary>
    private sealed class DeclinedException(string reason) : Exception(reason);

    public static async Task<(Solution Solution, Microsoft.CodeAnalysis.Workspace Workspace)?> TryLoadAsync(
        IReadOnlyList<string> targets, Action<string>? log, CancellationToken cancellationToken)
    {
        // ALLOCATION_LENS_TIMINGS=1: the load's own phases, on the log (bench/README's profile of analyze).
        var clock = Environment.GetEnvironmentVariable("ALLOCATION_LENS_TIMINGS") is { Length: > 0 } ? System.Diagnostics.Stopwatch.StartNew() : null;
        Action<string> phase = clock is null ? _ => { } : what => log?.Invoke($"workspace in-process load: {what} at {clock.ElapsedMilliseconds} ms");
        // The workspace's services are composed from MEF parts (0.3 s) while MSBuild evaluates on another thread.
        var workspace = Task.Run(() => { var w = new AdhocWorkspace(MefHostServices.DefaultHost); phase("workspace services composed"); return w; }, cancellationToken);
        await OneLoad.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var built = await Task.Run(() => BuildAll(targets, phase, cancellationToken), cancellationToken).ConfigureAwait(false);
            var adhoc = await workspace.ConfigureAwait(false);
            var solution = ToSolution(adhoc.CurrentSolution, built);
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
        finally { OneLoad.Release(); }
    }

    private static List<BuiltProject> BuildAll(IReadOnlyList<string> targets, Action<string> phase, CancellationToken cancellationToken)
    {
        var pending = new Queue<string>(targets.SelectMany(ProjectsOf));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var built = new List<BuiltProject>();
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
                if (single.Length > 0 || many.Length == 0)
                {
                    built.Add(Build(project, name, single.Length > 0 ? single : null, errors));
                }
                else
                {
                    // As MSBuildWorkspace does: one project per target framework, named "Name(tfm)".
                    foreach (var tfm in many.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                        built.Add(Build(Evaluate(collection, path, tfm, errors), $"{name}({tfm})", tfm, errors));
                }
                phase($"{Path.GetFileName(path)} built");
                // Every referenced project is loaded, as MSBuildWorkspace does, also one that only brings a
                // generator (ReferenceOutputAssembly="false"): it is judged too, though not referenced.
                foreach (var reference in built[^1].State.GetItems("ProjectReference"))
                    pending.Enqueue(Path.GetFullPath(reference.GetMetadataValue("FullPath")));
            }
        }
        finally { BuildManager.DefaultBuildManager.EndBuild(); }
        return built;
    }

    /// <summary>The projects a target stands for: itself, or a solution's projects.</summary>
    private static IEnumerable<string> ProjectsOf(string target)
    {
        if (target.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)) return [Path.GetFullPath(target)];
        if (!target.EndsWith(".sln", StringComparison.OrdinalIgnoreCase) && !target.EndsWith(".slnx", StringComparison.OrdinalIgnoreCase))
            throw new DeclinedException($"{Path.GetFileName(target)} is neither a project nor a solution");
        Microsoft.Build.Construction.SolutionFile solution;
        try { solution = Microsoft.Build.Construction.SolutionFile.Parse(target); }
        catch (Exception ex) { throw new DeclinedException($"{Path.GetFileName(target)} could not be read: {ex.Message}"); }
        return solution.ProjectsInOrder
            .Where(p => p.ProjectType != Microsoft.Build.Construction.SolutionProjectType.SolutionFolder)
            .Select(p => Path.GetFullPath(p.AbsolutePath))
            .ToList();
    }

    private static MSBuildProject Evaluate(ProjectCollection collection, string path, string? targetFramework, ErrorCollector errors)
    {
        var global = targetFramework is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["TargetFramework"] = targetFramework };
        MSBuildProject project;
        try { project = collection.LoadProject(path, global, toolsVersion: null); }
        catch (Microsoft.Build.Exceptions.InvalidProjectFileException ex) { throw new DeclinedException($"{Path.GetFileName(path)} does not evaluate: {ex.BaseMessage}"); }
        errors.ThrowIfAny(path);
        return project;
    }

    private static BuiltProject Build(MSBuildProject project, string name, string? targetFramework, ErrorCollector errors)
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
        return new BuiltProject(project.FullPath, name, targetFramework, state, commandLine);
    }

    private static Solution ToSolution(Solution solution, List<BuiltProject> built)
    {
        var ids = built.Select(_ => ProjectId.CreateNewId()).ToArray();
        // A metadata reference to another loaded project's output becomes a project reference, as in MSBuildWorkspace.
        var byOutput = new Dictionary<string, ProjectId>(StringComparer.Ordinal);
        for (int i = 0; i < built.Count; i++)
            foreach (var property in (string[])["TargetPath", "TargetRefPath"])
                if (built[i].State.GetPropertyValue(property) is { Length: > 0 } output)
                    byOutput.TryAdd(Path.GetFullPath(output, Path.GetDirectoryName(built[i].Path)!), ids[i]);

        var loaders = new ConcurrentDictionary<string, AnalyzerLoader>(StringComparer.Ordinal);
        for (int i = 0; i < built.Count; i++)
        {
            var project = built[i];
            var directory = Path.GetDirectoryName(project.Path)!;
            var arguments = CSharpCommandLineParser.Default.Parse(project.CommandLine, directory, sdkDirectory: System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory());
            var documents = new List<DocumentInfo>();
            var paths = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in project.State.GetItems("Compile"))
            {
                if (Path.GetFileName(item.EvaluatedInclude).StartsWith("TemporaryGeneratedFile_", StringComparison.Ordinal)) continue;
                var path = Path.GetFullPath(item.EvaluatedInclude, directory);
                if (!paths.Add(path)) continue;
                documents.Add(DocumentInfo.Create(DocumentId.CreateNewId(ids[i]), Path.GetFileName(path), Folders(item, path, directory),
                    loader: new FileTextLoader(path, arguments.Encoding), filePath: path));
            }
            var additional = arguments.AdditionalFiles.Select(f => TextDocument(ids[i], f.Path, arguments.Encoding)).ToList();
            var configs = arguments.AnalyzerConfigPaths.Select(p => TextDocument(ids[i], p, arguments.Encoding)).ToList();
            var projectReferences = new List<ProjectReference>();
            var files = new List<(string Path, MetadataReferenceProperties Properties)>();
            foreach (var reference in arguments.MetadataReferences)
            {
                var path = Path.GetFullPath(reference.Reference, directory);
                if (byOutput.TryGetValue(path, out var target) && target != ids[i])
                    projectReferences.Add(new ProjectReference(target, reference.Properties.Aliases, reference.Properties.EmbedInteropTypes));
                else
                    files.Add((path, reference.Properties));
            }
            // Each reference is read whole here (the compilation needs them all): on every core.
            var metadata = files.AsParallel().AsOrdered().Select(f => (MetadataReference)MetadataReference.CreateFromFile(f.Path, f.Properties)).ToList();
            var analyzers = arguments.AnalyzerReferences
                .Select(a => Path.GetFullPath(a.FilePath, directory))
                .Distinct(StringComparer.Ordinal)
                .Select(a => (AnalyzerReference)new AnalyzerFileReference(a, loaders.GetOrAdd(Path.GetDirectoryName(a)!, d => new AnalyzerLoader(d))))
                .ToList();
            var options = arguments.CompilationOptions
                .WithXmlReferenceResolver(new XmlFileResolver(directory))
                .WithSourceReferenceResolver(new SourceFileResolver([], directory))
                .WithStrongNameProvider(new DesktopStrongNameProvider(arguments.KeyFileSearchPaths, Path.GetTempPath()))
                .WithAssemblyIdentityComparer(DesktopAssemblyIdentityComparer.Default);
            var output = project.State.GetPropertyValue("TargetPath");
            var outputRef = project.State.GetPropertyValue("TargetRefPath");
            var info = ProjectInfo.Create(
                ids[i], VersionStamp.Create(), project.Name,
                arguments.CompilationName ?? Path.GetFileNameWithoutExtension(project.Path),
                LanguageNames.CSharp,
                filePath: project.Path,
                outputFilePath: output.Length > 0 ? Path.GetFullPath(output, directory) : null,
                outputRefFilePath: outputRef.Length > 0 ? Path.GetFullPath(outputRef, directory) : null,
                compilationOptions: options,
                // As MSBuildWorkspace: doc comments are parsed even without /doc (trees, hence positions, match).
                parseOptions: arguments.ParseOptions.DocumentationMode == DocumentationMode.None ? arguments.ParseOptions.WithDocumentationMode(DocumentationMode.Parse) : arguments.ParseOptions,
                documents: documents,
                projectReferences: projectReferences,
                metadataReferences: metadata,
                analyzerReferences: analyzers,
                additionalDocuments: additional)
                .WithAnalyzerConfigDocuments(configs)
                // Where generated documents live: their file paths, and so every verdict's path, depend on it.
                .WithCompilationOutputInfo(default(CompilationOutputInfo)
                    .WithAssemblyPath(project.State.GetItems("IntermediateAssembly").FirstOrDefault() is { } assembly ? Path.GetFullPath(assembly.EvaluatedInclude, directory) : null)
                    .WithGeneratedFilesOutputDirectory(project.State.GetPropertyValue("CompilerGeneratedFilesOutputPath") is { Length: > 0 } generated ? Path.GetFullPath(generated, directory) : null))
                .WithDefaultNamespace(project.State.GetPropertyValue("RootNamespace"));
            solution = solution.AddProject(info);
        }
        return solution;
    }

    private static DocumentInfo TextDocument(ProjectId project, string path, System.Text.Encoding? encoding) =>
        DocumentInfo.Create(DocumentId.CreateNewId(project), Path.GetFileName(path), loader: new FileTextLoader(path, encoding), filePath: path);

    /// <summary>The document's folders: its Link's, else its path's below the project folder (as MSBuildWorkspace names them).</summary>
    private static string[] Folders(ProjectItemInstance item, string path, string directory)
    {
        var link = item.GetMetadataValue("Link");
        var relative = link.Length > 0 ? Path.GetDirectoryName(link) : Path.GetDirectoryName(Path.GetRelativePath(directory, path));
        return string.IsNullOrEmpty(relative) ? [] : relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Turns the first MSBuild error into a decline: MSBuildWorkspace then reports it in its own words.</summary>
    private sealed class ErrorCollector : ILogger
    {
        private readonly ConcurrentQueue<string> _errors = new();
        public LoggerVerbosity Verbosity { get; set; } = LoggerVerbosity.Quiet;
        public string? Parameters { get; set; }
        public void Initialize(IEventSource eventSource) => eventSource.ErrorRaised += (_, e) => _errors.Enqueue($"{e.Code}: {e.Message}");
        public void Shutdown() { }

        public void ThrowIfAny(string path)
        {
            if (_errors.TryDequeue(out var first))
            {
                _errors.Clear();
                throw new DeclinedException($"MSBuild reported {first} for {Path.GetFileName(path)}");
            }
        }
    }

    /// <summary>
    /// Loads a folder's analyzers and generators into a context of their own, as Roslyn's loader does:
    /// two projects may use different builds of one generator. Roslyn's own assemblies come from the
    /// host, so a generator sees the compiler it runs in.
    /// </summary>
    private sealed class AnalyzerLoader(string directory) : IAnalyzerAssemblyLoader
    {
        private readonly AssemblyLoadContext _context = new FolderLoadContext(directory);
        private readonly ConcurrentDictionary<string, Assembly> _loaded = new(StringComparer.Ordinal);

        public void AddDependencyLocation(string fullPath) { }
        public Assembly LoadFromPath(string fullPath) => _loaded.GetOrAdd(fullPath, p => _context.LoadFromAssemblyPath(p));

        private sealed class FolderLoadContext(string directory) : AssemblyLoadContext($"analyzers {directory}")
        {
            protected override Assembly? Load(AssemblyName name)
            {
                if (Default.Assemblies.FirstOrDefault(a => AssemblyName.ReferenceMatchesDefinition(name, a.GetName())) is { } shared) return shared;
                var candidate = Path.Combine(directory, name.Name + ".dll");
                return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
            }
        }
    }
}
