using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.MSBuild;

namespace AllocationLens.Workspace;

/// <summary>
/// Loads one project again after its project file, a build file above it or its restore output
/// changed on disk, with the loader and properties the workspace was loaded with (MSBuildWorkspace's
/// build host), and nothing else: the projects it references keep their ids and states. The result is
/// a list of project infos (one per target framework, as the first load made them) for
/// <see cref="DiskChanges"/> to put in place of the old ones. A project that does not load keeps its
/// previous state: the caller gets null and a sentence that says why.
/// </summary>
public static class ProjectReload
{
    /// <param name="log">Where a restore's output goes: a project never restored (new, or its obj/ cleaned) is restored first, as the first load does.</param>
    /// <param name="cache">Design-time results kept between loads, for a workspace loaded in process (InProcessProjectLoader).</param>
    public static async Task<(IReadOnlyList<ProjectInfo>? Infos, string? Problem)> LoadAsync(LoadedWorkspace workspace, string projectPath, DesignTimeCache? cache, Action<string>? log, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(projectPath);
        if (!File.Exists(projectPath)) return (null, $"{name} no longer exists");
        var targets = TargetFrameworkReader.ReadAll(projectPath);
        if (targets.Count > 0 && targets.All(t => SdkSupport.MissingSdk(t, MsBuildRegistration.InstalledSdks) is not null))
            return (null, SdkSupport.MissingSdkMessage(targets[0], MsBuildRegistration.InstalledSdks, name) ?? $"{name} needs an SDK that is not installed");
        try
        {
            if (!ProjectRestore.IsRestored(projectPath)) await ProjectRestore.RestoreAsync(projectPath, log, cancellationToken).ConfigureAwait(false);
            // A workspace MSBuild loaded in our process is loaded the same way again, through the design-time
            // cache; when that loader declines (as it may have for the first load), the build host loads it.
            if (workspace.Workspace is not MSBuildWorkspace && await InProcessAsync(workspace, projectPath, cache, log, cancellationToken).ConfigureAwait(false) is { Count: > 0 } inProcess)
                return (inProcess, null);
            var host = workspace.Workspace ?? new AdhocWorkspace();
            var loader = new MSBuildProjectLoader(host, WorkspaceLoader.BuildHostProperties.ToImmutableDictionary());
            // The loader reports an evaluation failure to the workspace and returns an empty project: keep its words.
            var failures = new List<string>();
            using var registration = host.RegisterWorkspaceFailedHandler(e => { lock (failures) failures.Add(e.Diagnostic.Message); });
            // The map resolves references to the other loaded projects to their ids, so only this project is
            // loaded; it must not list this project itself, which the loader would then hand back unread.
            var others = workspace.Solution;
            foreach (var old in others.Projects.Where(p => string.Equals(p.FilePath, projectPath, StringComparison.Ordinal)).ToList())
                others = others.RemoveProject(old.Id);
            // The loader starts a build host, which inherits the current directory (MsBuildGate).
            using var gate = await MsBuildGate.EnterForBuildHostAsync(Path.GetDirectoryName(projectPath)!, cancellationToken).ConfigureAwait(false);
            var infos = await loader.LoadProjectInfoAsync(projectPath, ProjectMap.Create(others), cancellationToken: cancellationToken).ConfigureAwait(false);
            var own = infos.Where(i => string.Equals(i.FilePath, projectPath, StringComparison.Ordinal))
                .Where(i => SdkSupport.MissingSdk(TargetFrameworkReader.Read(projectPath, i.Name), MsBuildRegistration.InstalledSdks) is null)
                .ToList();
            if (own.Count == 0) return (null, $"{name} loaded without a C# project");
            // MSBuildWorkspace keeps an empty project for a file it could not evaluate; so does the first load, which drops it.
            if (own.All(i => i.Documents.Count == 0))
            {
                lock (failures) return (null, $"{name} could not be loaded again: {(failures.Count > 0 ? string.Join("; ", failures.Select(f => f.TrimEnd('.'))) : "it lists no source files")}");
            }
            return (own, null);
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception ex)
        {
            return (null, $"{name} could not be loaded again: {ex.Message}");
        }
    }

    /// <summary>
    /// The project loaded with MSBuild in this process (its references too, as that loader does; from the
    /// cache when nothing they read changed), as project infos whose references point at the workspace's
    /// own projects (matched by file and name). Null when the loader declines.
    /// </summary>
    private static async Task<IReadOnlyList<ProjectInfo>?> InProcessAsync(LoadedWorkspace workspace, string projectPath, DesignTimeCache? cache, Action<string>? log, CancellationToken cancellationToken)
    {
        if (await InProcessProjectLoader.TryLoadAsync([projectPath], log, cache, cancellationToken).ConfigureAwait(false) is not { } loaded) return null;
        var solution = loaded.Solution;
        var infos = new List<ProjectInfo>();
        foreach (var project in solution.Projects.Where(p => string.Equals(p.FilePath, projectPath, StringComparison.Ordinal)))
        {
            var id = ProjectId.CreateNewId(project.Name);
            var references = project.ProjectReferences
                .Select(r => (Reference: r, Target: solution.GetProject(r.ProjectId)))
                .Select(r => (r.Reference, Existing: workspace.Solution.Projects.FirstOrDefault(e => e.FilePath == r.Target?.FilePath && e.Name == r.Target?.Name)))
                .Where(r => r.Existing is not null)
                .Select(r => new ProjectReference(r.Existing!.Id, r.Reference.Aliases, r.Reference.EmbedInteropTypes));
            static IEnumerable<DocumentInfo> Files(IEnumerable<TextDocument> documents, ProjectId id) =>
                documents.Where(d => d.FilePath is not null).Select(d => DocumentInfo.Create(DocumentId.CreateNewId(id, d.Name), d.Name, d.Folders,
                    d is Document { SourceCodeKind: var kind } ? kind : SourceCodeKind.Regular, new FileTextLoader(d.FilePath!, defaultEncoding: null), d.FilePath));
            infos.Add(ProjectInfo.Create(id, VersionStamp.Create(), project.Name, project.AssemblyName, project.Language, project.FilePath, project.OutputFilePath,
                    project.CompilationOptions, project.ParseOptions, Files(project.Documents, id), references, project.MetadataReferences,
                    project.AnalyzerReferences, Files(project.AdditionalDocuments, id), isSubmission: false, hostObjectType: null, project.OutputRefFilePath)
                .WithAnalyzerConfigDocuments(Files(project.AnalyzerConfigDocuments, id))
                .WithCompilationOutputInfo(project.CompilationOutputInfo));
        }
        return infos;
    }
}
