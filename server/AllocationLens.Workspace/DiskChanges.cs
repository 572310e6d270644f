using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Workspace;

/// <summary>
/// A batch of files changed on disk, turned into what it changes in a loaded solution: project files
/// and build inputs load their projects again (each project once per batch, however many of its inputs
/// changed), source files that exist are read and replace their documents' texts (or join the project
/// whose folder is nearest above them), and those that are gone leave their projects. The batch is
/// settled against the disk when it is planned, not event by event: a file created, changed and deleted
/// within one batch is simply absent, and a branch switch touching 500 files is one plan.
///
/// A plan is made once, against one solution, and applied to that solution and to the editor's current
/// one (the same projects and documents, with the open documents' texts): new ids are chosen at planning,
/// so both get the same. Open documents keep their texts where the caller says so. Nothing here throws
/// for a file or a project: a file that cannot be read keeps its previous text, a project that does not
/// load keeps its previous state, and each says why in <see cref="Problems"/>.
/// </summary>
public sealed class DiskChanges
{
    private readonly List<(DocumentId Id, SourceText Text)> _texts = [];
    private readonly List<(DocumentInfo Info, SourceText Text)> _added = [];
    private readonly List<DocumentId> _removed = [];
    private readonly List<ProjectId> _removedProjects = [];
    private readonly List<(ProjectId Id, ProjectInfo Info, bool IsNew)> _projects = [];
    private readonly List<string> _problems = [];
    private readonly Dictionary<ProjectId, IReadOnlyList<(Microsoft.CodeAnalysis.Diagnostics.AnalyzerReference Reference, string[] Triggers)>> _leftOut = [];

    private DiskChanges() { }

    /// <summary>Why a file kept its previous text or a project its previous state, a sentence each, for the log.</summary>
    public IReadOnlyList<string> Problems => _problems;

    /// <summary>The framework generators left out of each project loaded again (an empty list: none).</summary>
    public IReadOnlyDictionary<ProjectId, IReadOnlyList<(Microsoft.CodeAnalysis.Diagnostics.AnalyzerReference Reference, string[] Triggers)>> LeftOut => _leftOut;

    /// <summary>The new texts of documents, and those of documents added: what a generator's attribute may have been typed into.</summary>
    public IEnumerable<(DocumentId Id, SourceText Text)> NewTexts => _texts.Concat(_added.Select(a => (a.Info.Id, a.Text)));

    /// <summary>Projects loaded again (or added) by this plan.</summary>
    public IReadOnlyCollection<ProjectId> ReloadedProjects => _projects.Select(p => p.Id).ToList();

    /// <summary>How many project files were loaded again (tests check that a batch of sources loads none).</summary>
    public int ProjectLoads { get; private set; }

    /// <summary>Whether the plan changes the solution's projects or documents (not only texts).</summary>
    public bool ChangesStructure => _added.Count > 0 || _removed.Count > 0 || _removedProjects.Count > 0 || _projects.Count > 0;

    public bool IsEmpty => _texts.Count == 0 && !ChangesStructure;

    /// <summary>
    /// The plan for <paramref name="paths"/> (full paths, each once) against <paramref name="workspace"/>'s solution.
    /// <paramref name="read"/> reads a file's text (it may throw: the document then keeps its text).
    /// <paramref name="isWorkspaceProject"/> says whether a project file that is not loaded belongs to the
    /// workspace (a first load would have loaded it: a folder's projects, not those outside its solution).
    /// </summary>
    public static async Task<DiskChanges> PlanAsync(LoadedWorkspace workspace, IEnumerable<string> paths, Func<string, SourceText> read,
        Func<string, bool> isWorkspaceProject, DesignTimeCache? cache, Action<string>? log, CancellationToken cancellationToken)
    {
        var plan = new DiskChanges();
        var files = paths.Select(WatchedFile.At).ToList();
        var solution = workspace.Solution;

        // Projects first: a project loaded again already lists the sources created in its folder.
        foreach (var projectPath in ProjectsToLoad(solution, workspace, files, isWorkspaceProject))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var existing = solution.Projects.Where(p => string.Equals(p.FilePath, projectPath, StringComparison.Ordinal)).ToList();
            if (!File.Exists(projectPath))
            {
                plan._removedProjects.AddRange(existing.Select(p => p.Id));
                foreach (var project in existing) solution = solution.RemoveProject(project.Id);
                continue;
            }
            plan.ProjectLoads++;
            var (infos, problem) = await ProjectReload.LoadAsync(workspace, projectPath, cache, log, cancellationToken).ConfigureAwait(false);
            if (infos is null)
            {
                plan._problems.Add($"{problem}; its previous state is kept");
                continue;
            }
            solution = plan.Replace(solution, existing, infos);
        }

        // A project loaded again brings every SDK generator back: those none of its documents triggers are left out again.
        for (int i = 0; i < plan._projects.Count; i++)
        {
            var (id, info, isNew) = plan._projects[i];
            if (solution.GetProject(id) is not { } project) continue;
            var (trimmed, idle) = await IdleFrameworkGenerators.LeaveOutAsync(project, cancellationToken).ConfigureAwait(false);
            plan._projects[i] = (id, info.WithAnalyzerReferences(trimmed.AnalyzerReferences), isNew);
            plan._leftOut[id] = idle;
            solution = trimmed.Solution;
        }

        var folders = files.Where(f => f.Kind == WatchedFileKind.Other).ToList();
        var sources = files.Where(f => f.Kind == WatchedFileKind.Source).Select(f => f.Path).ToList();
        // A folder created (moved in, or a branch's new folder) brings its sources; one deleted takes its documents.
        foreach (var folder in folders)
        {
            if (Directory.Exists(folder.Path))
                sources.AddRange(SafeEnumerate(folder.Path, plan._problems));
            else if (solution.GetDocumentIdsWithFilePath(folder.Path).IsEmpty)
                sources.AddRange(DocumentsUnder(solution, folder.Path));
        }
        foreach (var path in sources.Distinct(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var ids = solution.GetDocumentIdsWithFilePath(path);
            bool exists = File.Exists(path);
            if (!exists)
            {
                foreach (var id in ids)
                    if (!IsBuildOutputOf(solution, id, path)) plan._removed.Add(id);
                continue;
            }
            var owners = ids.IsEmpty ? Owners(solution, path) : [];
            if (ids.IsEmpty && owners.Count == 0) continue; // in no project's folder: judged on its own when opened
            SourceText text;
            try { text = read(path); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                plan._problems.Add($"{path} could not be read ({ex.Message}); {(ids.IsEmpty ? "it is not added to its project" : "its previous text is kept")}");
                continue;
            }
            foreach (var id in ids)
            {
                if (solution.GetDocument(id) is { } document && document.TryGetText(out var old) && old.ContentEquals(text)) continue;
                plan._texts.Add((id, text));
            }
            foreach (var owner in owners)
            {
                var folder = Path.GetDirectoryName(owner.FilePath!)!;
                var relative = Path.GetDirectoryName(Path.GetRelativePath(folder, path));
                string[] documentFolders = string.IsNullOrEmpty(relative) ? [] : relative.Split(Path.DirectorySeparatorChar);
                plan._added.Add((DocumentInfo.Create(DocumentId.CreateNewId(owner.Id), Path.GetFileName(path), documentFolders,
                    loader: TextLoader.From(TextAndVersion.Create(text, VersionStamp.Create(), path)), filePath: path), text));
            }
        }
        return plan;
    }

    /// <summary>
    /// The plan applied to <paramref name="solution"/> (the one it was planned against, or the editor's
    /// current one with the same ids). <paramref name="keepText"/>: documents whose text the editor owns.
    /// </summary>
    public Solution ApplyTo(Solution solution, Func<DocumentId, bool> keepText)
    {
        foreach (var id in _removedProjects)
            if (solution.ContainsProject(id)) solution = solution.RemoveProject(id);
        foreach (var (id, info, isNew) in _projects)
            solution = isNew || !solution.ContainsProject(id) ? solution.AddProject(WithExistingReferences(info, solution)) : Update(solution, id, info);
        foreach (var id in _removed)
            if (solution.ContainsDocument(id)) solution = solution.RemoveDocument(id);
        foreach (var (info, _) in _added)
            if (solution.ContainsProject(info.Id.ProjectId) && !solution.ContainsDocument(info.Id)) solution = solution.AddDocument(info);
        // Through a loader, not WithDocumentText: that parses incrementally from the previous tree, and a
        // document whose new tree is never asked for (the loaded solution's are not) would keep every
        // earlier text and tree alive, one more per change on disk.
        foreach (var (id, text) in _texts)
            if (solution.ContainsDocument(id) && !keepText(id))
                solution = solution.WithDocumentTextLoader(id, TextLoader.From(TextAndVersion.Create(text, VersionStamp.Create(), solution.GetDocument(id)!.FilePath)), PreservationMode.PreserveValue);
        return solution;
    }

    /// <summary>The project files a batch loads again: each changed project, and each project a changed build input or restore output reaches.</summary>
    private static IReadOnlyList<string> ProjectsToLoad(Solution solution, LoadedWorkspace workspace, List<WatchedFile> files, Func<string, bool> isWorkspaceProject)
    {
        var loaded = solution.Projects.Select(p => p.FilePath).OfType<string>().Concat(workspace.FailedProjects).Distinct(StringComparer.Ordinal).ToList();
        var result = new List<string>();
        foreach (var file in files)
        {
            switch (file.Kind)
            {
                case WatchedFileKind.Project:
                    if (loaded.Contains(file.Path, StringComparer.Ordinal) || (File.Exists(file.Path) && isWorkspaceProject(file.Path))) result.Add(file.Path);
                    break;
                case WatchedFileKind.BuildInput:
                    var folder = Path.GetDirectoryName(file.Path)! + Path.DirectorySeparatorChar;
                    result.AddRange(loaded.Where(p => p.StartsWith(folder, StringComparison.Ordinal)));
                    break;
                case WatchedFileKind.RestoreOutput:
                    // obj/project.assets.json beside the project, or artifacts/obj/<Name>/ with the artifacts layout.
                    var owner = loaded.Where(p => file.Path.StartsWith(Path.GetDirectoryName(p)! + Path.DirectorySeparatorChar, StringComparison.Ordinal)).MaxBy(p => p.Length)
                        ?? loaded.FirstOrDefault(p => Path.GetFileNameWithoutExtension(p) == Path.GetFileName(Path.GetDirectoryName(file.Path)));
                    if (owner is not null) result.Add(owner);
                    break;
            }
        }
        return result.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The loaded projects (every target of a multi-targeted one) whose folder is nearest above a new source file.</summary>
    private static List<Project> Owners(Solution solution, string path)
    {
        var candidates = solution.Projects
            .Where(p => p.Language == LanguageNames.CSharp && p.FilePath is { } file && path.StartsWith(Path.GetDirectoryName(file)! + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .ToList();
        if (candidates.Count == 0) return [];
        int nearest = candidates.Max(p => Path.GetDirectoryName(p.FilePath!)!.Length);
        return candidates.Where(p => Path.GetDirectoryName(p.FilePath!)!.Length == nearest && !WatchedFile.IsBuildOutput(path, Path.GetDirectoryName(p.FilePath!)!)).ToList();
    }

    private static bool IsBuildOutputOf(Solution solution, DocumentId id, string path) =>
        solution.GetProject(id.ProjectId)?.FilePath is { } project && WatchedFile.IsBuildOutput(path, Path.GetDirectoryName(project)!);

    private static IEnumerable<string> DocumentsUnder(Solution solution, string folder)
    {
        var prefix = folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return solution.Projects.SelectMany(p => p.Documents).Select(d => d.FilePath).OfType<string>()
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> SafeEnumerate(string folder, List<string> problems)
    {
        try
        {
            return Directory.EnumerateFiles(folder, "*.cs", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{folder} could not be listed ({ex.Message}); its sources are not added");
            return [];
        }
    }

    /// <summary>Records the new infos in place of <paramref name="existing"/> and returns the solution with them (for planning what follows).</summary>
    private Solution Replace(Solution solution, List<Project> existing, IReadOnlyList<ProjectInfo> infos)
    {
        var matched = new HashSet<ProjectId>();
        foreach (var info in infos)
        {
            // The same target keeps its project (and so its documents' ids); a new target becomes a project of its own.
            var old = existing.FirstOrDefault(p => p.Id == info.Id && !matched.Contains(p.Id)) ?? existing.FirstOrDefault(p => p.Name == info.Name && !matched.Contains(p.Id));
            if (old is not null)
            {
                matched.Add(old.Id);
                var retargeted = Retarget(info, old.Id);
                _projects.Add((old.Id, retargeted, false));
                solution = Update(solution, old.Id, retargeted);
            }
            else
            {
                var id = solution.ContainsProject(info.Id) ? ProjectId.CreateNewId(info.Name) : info.Id;
                var fresh = Retarget(info, id);
                _projects.Add((id, fresh, true));
                solution = solution.AddProject(WithExistingReferences(fresh, solution));
            }
        }
        foreach (var gone in existing.Where(p => !matched.Contains(p.Id)))
        {
            _removedProjects.Add(gone.Id);
            solution = solution.RemoveProject(gone.Id);
        }
        return solution;
    }

    /// <summary>The info with its documents' ids (and its own) under <paramref name="id"/>, new ids chosen once, here.</summary>
    private static ProjectInfo Retarget(ProjectInfo info, ProjectId id)
    {
        static IEnumerable<DocumentInfo> Move(IEnumerable<DocumentInfo> documents, ProjectId id) =>
            documents.Select(d => d.WithId(DocumentId.CreateNewId(id, d.Name)));
        return ProjectInfo.Create(id, VersionStamp.Create(), info.Name, info.AssemblyName, info.Language, info.FilePath, info.OutputFilePath,
                info.CompilationOptions, info.ParseOptions, Move(info.Documents, id), info.ProjectReferences, info.MetadataReferences,
                info.AnalyzerReferences, Move(info.AdditionalDocuments, id), info.IsSubmission, info.HostObjectType, info.OutputRefFilePath)
            .WithAnalyzerConfigDocuments(Move(info.AnalyzerConfigDocuments, id))
            .WithCompilationOutputInfo(info.CompilationOutputInfo);
    }

    private static ProjectInfo WithExistingReferences(ProjectInfo info, Solution solution) =>
        info.WithProjectReferences(info.ProjectReferences.Where(r => solution.ContainsProject(r.ProjectId) && r.ProjectId != info.Id));

    /// <summary>
    /// An existing project given the reloaded info: options, references and analyzers replaced; documents
    /// matched by path keep their ids (and their texts, which source events change), the others come and go.
    /// </summary>
    private static Solution Update(Solution solution, ProjectId id, ProjectInfo info)
    {
        var project = solution.GetProject(id)!;
        solution = solution
            .WithProjectCompilationOptions(id, info.CompilationOptions!)
            .WithProjectParseOptions(id, info.ParseOptions!)
            .WithProjectAssemblyName(id, info.AssemblyName)
            .WithProjectMetadataReferences(id, info.MetadataReferences)
            .WithProjectAnalyzerReferences(id, info.AnalyzerReferences)
            .WithProjectReferences(id, WithExistingReferences(info, solution).ProjectReferences)
            .WithProjectCompilationOutputInfo(id, info.CompilationOutputInfo);
        var newPaths = info.Documents.Select(d => d.FilePath).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var oldPaths = project.Documents.Select(d => d.FilePath).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var document in project.Documents)
            if (document.FilePath is null || !newPaths.Contains(document.FilePath)) solution = solution.RemoveDocument(document.Id);
        foreach (var document in info.Documents)
            if (document.FilePath is null || !oldPaths.Contains(document.FilePath)) solution = solution.AddDocument(document);
        // Additional files and .editorconfig documents: replaced whole (they are few, and only the compiler reads them).
        foreach (var document in project.AdditionalDocumentIds) solution = solution.RemoveAdditionalDocument(document);
        foreach (var document in project.AnalyzerConfigDocuments.Select(d => d.Id)) solution = solution.RemoveAnalyzerConfigDocument(document);
        solution = solution.AddAdditionalDocuments([.. info.AdditionalDocuments]).AddAnalyzerConfigDocuments([.. info.AnalyzerConfigDocuments]);
        return solution;
    }
}
