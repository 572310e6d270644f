using System.Composition;
using System.Reflection;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Host.Mef;
using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>
/// The workspace services composed from the part types read in metadata are Roslyn's own: the same parts
/// System.Composition finds when it is handed every type (what MefHostServices.DefaultHost does), and a
/// workspace on them compiles and formats C#.
/// </summary>
public sealed class WorkspaceServicesCompositionTests
{
    /// <summary>What System.Composition's type inspector takes for a part: a class with an export attribute declared on it or on a property.</summary>
    private static bool IsPartByReflection(System.Reflection.TypeInfo type) =>
        type.IsClass && !type.IsAbstract &&
        (type.GetCustomAttributes<ExportAttribute>(inherit: false).Any() ||
         type.DeclaredProperties.Any(p => p.GetCustomAttributes<ExportAttribute>(inherit: false).Any()));

    [Fact]
    public void The_parts_found_in_metadata_are_the_parts_reflection_finds_in_every_defined_type()
    {
        var assemblies = MefHostServices.DefaultAssemblies.Distinct().ToList();
        Assert.Contains(assemblies, a => a.GetName().Name == "Microsoft.CodeAnalysis.CSharp.Workspaces");
        foreach (var assembly in assemblies)
        {
            var fromMetadata = WorkspaceServicesComposition.PartTypes(assembly).ToHashSet();
            var byReflection = assembly.DefinedTypes.Where(IsPartByReflection).Select(t => t.AsType()).ToHashSet();
            Assert.True(byReflection.Count > 10, $"{assembly.GetName().Name}: only {byReflection.Count} parts found by reflection");
            Assert.Empty(byReflection.Except(fromMetadata).Select(t => t.FullName));
            Assert.Empty(fromMetadata.Except(byReflection).Select(t => t.FullName));
        }
    }

    [Fact]
    public async Task A_workspace_on_the_composed_services_compiles_and_formats_CSharp()
    {
        using var workspace = new AdhocWorkspace(WorkspaceServicesComposition.Create());
        var project = workspace.AddProject(ProjectInfo.Create(ProjectId.CreateNewId(), VersionStamp.Create(), "P", "P", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary),
            metadataReferences: [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)]));
        var document = workspace.AddDocument(project.Id, "A.cs", Microsoft.CodeAnalysis.Text.SourceText.From("class A{int F(){return 1+2;}}"));

        var compilation = await document.Project.GetCompilationAsync();
        Assert.Empty(compilation!.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        // Formatting is a C# language service: found only if CSharp.Workspaces' parts were composed.
        var formatted = await Formatter.FormatAsync(document);
        Assert.Contains("return 1 + 2;", (await formatted.GetTextAsync()).ToString());
    }
}
