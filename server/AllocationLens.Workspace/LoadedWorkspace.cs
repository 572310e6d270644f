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
    public MSBuildWorkspace? Workspace { get; init; }
    /// <summary>Project files MSBuild could not load; their files are analysed ad hoc.</summary>
    public IReadOnlyList<string> FailedProjects { get; init; } = [];

    public string TargetOf(ProjectId id) => TargetFrameworks.TryGetValue(id, out var tfm) ? tfm : "net10.0";
}

/// <summary>
/// Loads a solution, a project, or a folder (its solution, or every project in it) through
/// MSBuildWorkspace. Never throws for a broken project: failures become diagnostics, and callers fall
/// back to ad-hoc compilation for files no project owns.
/// </summary>
public static class WorkspaceLoader
{
    /// <param name="restore">Run `dotnet restore` for projects never restored. Only for trusted folders.</param>
    public static async Task<LoadedWorkspace> LoadAsync(string path, Action<string>? log = null, IProgress<string>? progress = null, bool restore = true, CancellationToken cancellationToken = default)
    {
        var registrationError = MsBuildRegistration.EnsureRegistered();
        if (registrationError is not null) throw new InvalidOperationException(registrationError);
        return await LoadCoreAsync(path, log, progress, restore, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Kept separate so no Microsoft.Build type is touched before MSBuildLocator has registered.</summary>
    private static async Task<LoadedWorkspace> LoadCoreAsync(string path, Action<string>? log, IProgress<string>? progress, bool restore, CancellationToken cancellationToken)
    {
        // Never run a project's analyzers or generators we do not need: we only read its code.
        var workspace = MSBuildWorkspace.Create(new Dictionary<string, string>
        {
            ["Configuration"] = "Release",
            ["RunAnalyzers"] = "false",
            ["RunAnalyzersDuringBuild"] = "false",
        });
        var diagnostics = new List<string>();
        var failed = new List<string>();
        // Roslyn raises this handler synchronously, while the open call that hit the problem runs, so the
        // empty-project check below sees every failure.
        workspace.RegisterWorkspaceFailedHandler(e =>
        {
            var line = $"{e.Diagnostic.Kind}: {e.Diagnostic.Message}";
            lock (diagnostics) diagnostics.Add(line);
            log?.Invoke("workspace " + line);
        });

        var full = Path.GetFullPath(path);
        var targets = Resolve(full);
        if (targets.Count == 0) throw new FileNotFoundException($"no .sln, .slnx or .csproj found at {full}");
        foreach (var target in targets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (restore && ProjectRestore.NeedsRestore(target))
            {
                progress?.Report($"restoring {Path.GetFileName(target)}");
                await ProjectRestore.RestoreAsync(target, log, cancellationToken).ConfigureAwait(false);
            }
            progress?.Report($"loading {Path.GetFileName(target)}");
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
                var line = $"Failure: could not load {target}: {ex.Message}";
                diagnostics.Add(line);
                log?.Invoke("workspace " + line);
                if (target.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)) failed.Add(target);
            }
        }

        // Each project keeps the language version MSBuild gave it: Roslyn 5.12 binds C# 14, and the
        // version changes codegen we model (cached static method groups from C# 11, for one).
        var solution = workspace.CurrentSolution;
        // MSBuildWorkspace keeps an empty project for a file it failed to evaluate: drop it and say so.
        foreach (var project in solution.Projects.ToList())
        {
            if (project.FilePath is { } file && project.DocumentIds.Count == 0 && diagnostics.Any(d => d.StartsWith("Failure", StringComparison.Ordinal) && d.Contains(file, StringComparison.Ordinal)))
            {
                solution = solution.RemoveProject(project.Id);
                if (!failed.Contains(file)) failed.Add(file);
            }
        }
        var tfms = new Dictionary<ProjectId, string>();
        foreach (var project in solution.Projects)
        {
            tfms[project.Id] = TargetFrameworkReader.Read(project.FilePath, project.Name) ?? "net10.0";
        }
        return new LoadedWorkspace { Solution = solution, Diagnostics = diagnostics, TargetFrameworks = tfms, Workspace = workspace, FailedProjects = failed };
    }

    /// <summary>The solution or projects a path stands for.</summary>
    public static IReadOnlyList<string> Resolve(string fullPath)
    {
        if (File.Exists(fullPath)) return [fullPath];
        if (!Directory.Exists(fullPath)) return [];
        var solutions = Directory.GetFiles(fullPath, "*.sln").Concat(Directory.GetFiles(fullPath, "*.slnx")).OrderBy(p => p, StringComparer.Ordinal).ToList();
        if (solutions.Count > 0) return [solutions[0]];
        return Directory.EnumerateFiles(fullPath, "*.csproj", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules" || part.StartsWith('.')))
            .OrderBy(p => p, StringComparer.Ordinal).ToList();
    }
}
