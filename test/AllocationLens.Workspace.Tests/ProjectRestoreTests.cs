using Microsoft.CodeAnalysis;
using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>
/// A project is restored before its load only when it never was: its project.assets.json is looked for
/// where the SDK writes it, beside the project (obj/) or in .NET 8's artifacts layout.
/// </summary>
public sealed class ProjectRestoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("al-restore-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private string Project(string relativeFolder, string name)
    {
        var folder = Path.Combine(_root, relativeFolder);
        Directory.CreateDirectory(folder);
        var project = Path.Combine(folder, $"{name}.csproj");
        File.WriteAllText(project, """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><TargetFramework>net10.0</TargetFramework><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(folder, "Shapes.cs"), "class Shapes { object Box(int n) => n; }");
        return project;
    }

    private static void Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "{}");
    }

    [Fact]
    public void The_assets_file_is_found_beside_the_project_or_in_the_artifacts_layout()
    {
        var plain = Project("src/Plain", "Plain");
        Assert.True(ProjectRestore.NeedsRestore(plain));
        Touch(Path.Combine(_root, "src", "Plain", "obj", "project.assets.json"));
        Assert.False(ProjectRestore.NeedsRestore(plain));

        // UseArtifactsOutput in the repository's Directory.Build.props: artifacts/obj/<project>/ at its root.
        var artifacts = Project("src/Lib", "Lib");
        Assert.True(ProjectRestore.NeedsRestore(artifacts));
        Touch(Path.Combine(_root, "artifacts", "obj", "Other", "project.assets.json"));
        Assert.True(ProjectRestore.NeedsRestore(artifacts)); // another project's restore says nothing about this one
        Touch(Path.Combine(_root, "artifacts", "obj", "Lib", "project.assets.json"));
        Assert.False(ProjectRestore.NeedsRestore(artifacts));
    }

    [Fact]
    public async Task A_project_in_the_artifacts_layout_is_restored_once_and_then_loads_with_its_references()
    {
        File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), "<Project><PropertyGroup><UseArtifactsOutput>true</UseArtifactsOutput></PropertyGroup></Project>");
        var project = Project("src/App", "App");
        async Task<(LoadedWorkspace Loaded, List<string> Log)> Load()
        {
            var log = new List<string>();
            var loaded = await WorkspaceLoader.LoadAsync(project, line => { lock (log) log.Add(line); });
            return (loaded, log);
        }

        var (first, firstLog) = await Load();
        Assert.Contains(firstLog, line => line.StartsWith("restoring ", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(_root, "artifacts", "obj", "App", "project.assets.json")), "the SDK wrote the assets where IsRestored looks");

        var (second, secondLog) = await Load();
        Assert.DoesNotContain(secondLog, line => line.StartsWith("restoring ", StringComparison.Ordinal));
        var compilation = await Assert.Single(second.Solution.Projects).GetCompilationAsync();
        Assert.NotNull(compilation!.GetTypeByMetadataName("System.Collections.Generic.List`1"));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        GC.KeepAlive(first);
    }
}
