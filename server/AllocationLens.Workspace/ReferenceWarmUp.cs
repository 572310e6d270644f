using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AllocationLens.Workspace;

/// <summary>
/// Binds the references of the projects the editor has open, in a compilation with no documents, while
/// the load's last steps run (the idle-generator check reads every text). Roslyn keeps each reference's
/// assembly symbols with its metadata and gives them to the next compilation of the same references,
/// so the open file's first compilation finds them bound: on Newtonsoft.Json's 160 framework references,
/// 0.16–0.20 s of a first compilation that is then 0.04 s (bench/README). The symbols are cached weakly:
/// the caller keeps the returned compilations until the real ones exist.
/// </summary>
public static class ReferenceWarmUp
{
    /// <param name="openPaths">Files open in the editor; only their projects (and the projects those reference) are bound.</param>
    public static Task<IReadOnlyList<Compilation>> BindAsync(Solution solution, IEnumerable<string> openPaths, CancellationToken cancellationToken = default)
    {
        var graph = solution.GetProjectDependencyGraph();
        var projects = openPaths
            .SelectMany(path => solution.GetDocumentIdsWithFilePath(path))
            .SelectMany(id => graph.GetProjectsThatThisProjectTransitivelyDependsOn(id.ProjectId).Prepend(id.ProjectId))
            .Distinct()
            .Select(solution.GetProject)
            .OfType<Project>()
            .Where(project => project.Language == LanguageNames.CSharp)
            .ToList();
        if (projects.Count == 0) return Task.FromResult<IReadOnlyList<Compilation>>([]);
        return Task.Run<IReadOnlyList<Compilation>>(() =>
        {
            var bound = new List<Compilation>(projects.Count);
            foreach (var project in projects)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (project.CompilationOptions is not CSharpCompilationOptions options) continue;
                // The project's own name and options: the reference manager reuses symbols bound for the same references.
                bound.Add(Bind(CSharpCompilation.Create(project.AssemblyName, [], project.MetadataReferences, options)));
            }
            return bound;
        }, cancellationToken);
    }

    /// <summary>Binds the compilation's references (its assembly symbols, built once and cached with their metadata) and returns it.</summary>
    public static CSharpCompilation Bind(CSharpCompilation compilation)
    {
        _ = compilation.GetSpecialType(SpecialType.System_Object);
        _ = compilation.SourceModule.ReferencedAssemblySymbols;
        return compilation;
    }
}
