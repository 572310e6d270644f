using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>Real .csproj trees under test/projects loaded through MSBuild (the slow tier: seconds per load).</summary>
public sealed class WorkspaceLoaderTests
{
    public WorkspaceLoaderTests() => Assert.Null(MsBuildRegistration.EnsureRegistered());

    private static async Task<(Project Project, string Tfm, Compilation Compilation)> LoadSingle(string name)
    {
        var loaded = await WorkspaceLoader.LoadAsync(TestPaths.Project(name));
        var project = Assert.Single(loaded.Solution.Projects);
        var compilation = (await project.GetCompilationAsync())!;
        return (project, loaded.TargetOf(project.Id), compilation);
    }

    [Theory]
    [InlineData("Net10App", "net10.0", AllocationKind.Stack)]
    [InlineData("Net8App", "net8.0", AllocationKind.Heap)]
    public async Task Loads_a_project_reads_its_target_and_judges_for_it(string name, string tfm, AllocationKind localObject)
    {
        var (project, target, compilation) = await LoadSingle(name);
        Assert.Equal(tfm, target);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));

        var tree = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("Shapes.cs", StringComparison.Ordinal));
        var sites = new AllocationAnalyzer(TargetRuntime.Parse(target)).Analyze(compilation, tree);
        var lines = tree.GetText().Lines;
        AllocationSite At(string text) => sites.Single(s => lines[s.Where.Line].ToString().Contains(text, StringComparison.Ordinal));
        Assert.Equal(localObject, At("var c = new Circle").Kind);
        Assert.Equal(AllocationKind.Heap, At("s_last = new Circle").Kind);
        Assert.Equal(AllocationKind.Boxed, At("Boxed(int n)").Kind);
        Assert.Contains(tfm, At("var c = new Circle").Runtime);
    }

    [Fact]
    public async Task A_folder_loads_every_project_in_it()
    {
        var loaded = await WorkspaceLoader.LoadAsync(Path.Combine(TestPaths.Root, "samples"));
        Assert.Contains(loaded.Solution.Projects, p => p.Name == "OrderPipeline");
    }

    [Fact]
    public async Task An_unloadable_project_is_a_diagnostic_not_an_exception()
    {
        var loaded = await WorkspaceLoader.LoadAsync(TestPaths.Project("Broken"), restore: false);
        Assert.Empty(loaded.Solution.Projects);
        Assert.Contains(loaded.Diagnostics, d => d.Contains("Broken.csproj", StringComparison.Ordinal) && d.StartsWith("Failure", StringComparison.Ordinal));
        Assert.Contains(loaded.FailedProjects, p => p.EndsWith("Broken.csproj", StringComparison.Ordinal));
    }

    [Fact]
    public void Reads_target_frameworks_from_names_files_and_props()
    {
        Assert.Equal("net8.0", TargetFrameworkReader.Read(null, "Lib(net8.0)"));
        Assert.Equal("net10.0", TargetFrameworkReader.Read(Path.Combine(TestPaths.Project("Net10App"), "Net10App.csproj")));
        Assert.Null(TargetFrameworkReader.Read(Path.Combine(TestPaths.Project("Missing"), "Missing.csproj")));
    }
}
