using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AllocationLens.Workspace.Tests;

/// <summary>Compares loads: two loads of a project must agree on every line.</summary>
internal static class ProjectFingerprint
{
    /// <summary>Everything about a loaded project that the analysis can see, as text, so a difference reads plainly.</summary>
    public static IReadOnlyList<string> Of(LoadedWorkspace loaded)
    {
        static string Paths(IEnumerable<string?> paths) => string.Join(" ", paths.Order(StringComparer.Ordinal));
        var lines = new List<string>();
        var solution = loaded.Solution;
        foreach (var project in solution.Projects.OrderBy(p => p.FilePath, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal))
        {
            var parse = (CSharpParseOptions)project.ParseOptions!;
            var options = (CSharpCompilationOptions)project.CompilationOptions!;
            lines.Add($"project {project.Name} assembly {project.AssemblyName} file {project.FilePath} target {loaded.TargetOf(project.Id)}");
            lines.Add($"  documents {Paths(project.Documents.Select(d => d.FilePath + "@" + string.Join("/", d.Folders)))}");
            lines.Add($"  additional {Paths(project.AdditionalDocuments.Select(d => d.FilePath))}");
            lines.Add($"  editorconfig {Paths(project.AnalyzerConfigDocuments.Select(d => d.FilePath))}");
            lines.Add($"  references {Paths(project.MetadataReferences.Select(r => (r as PortableExecutableReference)?.FilePath + string.Join(",", r.Properties.Aliases)))}");
            lines.Add($"  project references {Paths(project.ProjectReferences.Select(r => solution.GetProject(r.ProjectId)?.Name + string.Join(",", r.Aliases)))}");
            lines.Add($"  analyzers {Paths(project.AnalyzerReferences.Select(a => a.FullPath))}");
            lines.Add($"  parse {parse.LanguageVersion} {parse.DocumentationMode} symbols {Paths(parse.PreprocessorSymbolNames)} features {Paths(parse.Features.Select(f => f.Key + "=" + f.Value))}");
            lines.Add($"  compilation {options.OutputKind} {options.OptimizationLevel} nullable {options.NullableContextOptions} unsafe {options.AllowUnsafe} checked {options.CheckOverflow} " +
                      $"platform {options.Platform} warnings {options.WarningLevel}/{options.GeneralDiagnosticOption} module {options.ModuleName} main {options.MainTypeName} " +
                      $"specific {Paths(options.SpecificDiagnosticOptions.Select(o => o.Key + "=" + o.Value))}");
            lines.Add($"  output {project.OutputFilePath} ref {project.OutputRefFilePath} namespace {project.DefaultNamespace}");
            lines.Add($"  compiled to {project.CompilationOutputInfo.AssemblyPath} generated files in {project.CompilationOutputInfo.GeneratedFilesOutputDirectory}");
        }
        return lines;
    }
}
