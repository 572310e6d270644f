using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.MSBuild;
using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>
/// The in-process loader (MSBuild in our process, for `analyze`) against MSBuildWorkspace (its build
/// host, for the server): the same projects, documents, references, options and verdicts, or a
/// decline that hands the load to MSBuildWorkspace.
/// </summary>
[Collection(InProcessMSBuildCollection.Name)]
public sealed class InProcessProjectLoaderTests
{
    public InProcessProjectLoaderTests() => Assert.Null(MsBuildRegistration.EnsureRegistered());

    private static async Task<(LoadedWorkspace Loaded, List<string> Log)> Load(string path, bool inProcess, bool restore = true)
    {
        var log = new List<string>();
        var loaded = await WorkspaceLoader.LoadAsync(path, line => { lock (log) log.Add(line); }, restore: restore, inProcess: inProcess);
        return (loaded, log);
    }

    public static TheoryData<string> Loadable => new()
    {
        "test/projects/Net10App",
        "test/projects/Net8App",
        "test/projects/CSharp14App",
        "test/projects/HarnessNet10",
        "test/projects/Slnx/Slnx.slnx",
        "samples",
    };

    [Theory]
    [MemberData(nameof(Loadable))]
    public async Task Loads_the_same_projects_as_MSBuildWorkspace(string relative)
    {
        var path = Path.Combine(TestPaths.Root, relative);
        var (viaHost, _) = await Load(path, inProcess: false);
        var (inProcess, log) = await Load(path, inProcess: true);
        Assert.IsType<MSBuildWorkspace>(viaHost.Workspace);
        Assert.True(viaHost.Solution.Projects.Any(), "MSBuildWorkspace loaded nothing: " + string.Join(" | ", viaHost.Diagnostics));
        Assert.False(inProcess.Workspace is MSBuildWorkspace, $"the in-process load declined: {string.Join(" | ", log)}");
        Assert.NotEmpty(inProcess.Solution.Projects);
        Assert.Equal(ProjectFingerprint.Of(viaHost), ProjectFingerprint.Of(inProcess));
        Assert.Equal(viaHost.Failures.Count, inProcess.Failures.Count);
    }

    /// <summary>
    /// A project with two target frameworks is two projects, "Name(net8.0)" and "Name(net10.0)", each
    /// with its own options and references, as MSBuildWorkspace makes them; and the project each target
    /// references (here only the net10.0 one) is loaded too.
    /// </summary>
    [Fact]
    public async Task Loads_a_multi_targeted_project_as_one_project_per_target()
    {
        var root = Path.Combine(Path.GetTempPath(), "allocation-lens-multi-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "App"));
            Directory.CreateDirectory(Path.Combine(root, "Lib"));
            File.WriteAllText(Path.Combine(root, "App", "App.csproj"), """
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup><TargetFrameworks>net8.0;net10.0</TargetFrameworks></PropertyGroup>
                  <ItemGroup Condition="'$(TargetFramework)' == 'net10.0'"><ProjectReference Include="../Lib/Lib.csproj" /></ItemGroup>
                </Project>
                """);
            File.WriteAllText(Path.Combine(root, "App", "A.cs"), "class A { object M() => new A(); }");
            File.WriteAllText(Path.Combine(root, "Lib", "Lib.csproj"), """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>""");
            File.WriteAllText(Path.Combine(root, "Lib", "L.cs"), "public class L { }");
            var project = Path.Combine(root, "App", "App.csproj");
            var (viaHost, _) = await Load(project, inProcess: false);
            var (inProcess, log) = await Load(project, inProcess: true);
            Assert.False(inProcess.Workspace is MSBuildWorkspace, $"the in-process load declined: {string.Join(" | ", log)}");
            Assert.Equal(["App(net10.0)", "App(net8.0)", "Lib"], inProcess.Solution.Projects.Select(p => p.Name).Order(StringComparer.Ordinal));
            Assert.Equal(ProjectFingerprint.Of(viaHost), ProjectFingerprint.Of(inProcess));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>The same verdicts, generators included: the compilations differ only in who loaded them.</summary>
    [Fact]
    public async Task Judges_every_site_as_the_MSBuildWorkspace_load_does()
    {
        async Task<List<string>> Verdicts(bool inProcess)
        {
            var (loaded, _) = await Load(TestPaths.Project("Net10App"), inProcess);
            var project = Assert.Single(loaded.Solution.Projects);
            var compilation = (await project.GetCompilationAsync())!;
            Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
            var analyzer = new AllocationAnalyzer(TargetRuntime.Parse(loaded.TargetOf(project.Id)));
            return compilation.SyntaxTrees.OrderBy(t => t.FilePath, StringComparer.Ordinal)
                .SelectMany(t => analyzer.Analyze(compilation, t).Select(s => $"{Path.GetFileName(t.FilePath)}:{s.Where.Line + 1} {s.Kind} {s.Message}"))
                .ToList();
        }
        var viaHost = await Verdicts(inProcess: false);
        Assert.Contains(viaHost, v => v.Contains(" Heap ", StringComparison.Ordinal));
        Assert.Equal(viaHost, await Verdicts(inProcess: true));
    }

    /// <summary>
    /// A project MSBuild cannot evaluate (the in-process load declines), and one with a target that needs
    /// a missing SDK (not tried in process): the load through MSBuildWorkspace reports them as it always has.
    /// </summary>
    [Theory]
    [InlineData("Broken", false)]
    [InlineData("MultiTarget", true)]
    public async Task Hands_a_project_it_cannot_load_cleanly_to_MSBuildWorkspace(string name, bool restore)
    {
        var (viaHost, _) = await Load(TestPaths.Project(name), inProcess: false, restore);
        var (inProcess, _) = await Load(TestPaths.Project(name), inProcess: true, restore);
        Assert.IsType<MSBuildWorkspace>(inProcess.Workspace);
        Assert.Equal(ProjectFingerprint.Of(viaHost), ProjectFingerprint.Of(inProcess));
        Assert.Equal(viaHost.Failures.Select(f => f.Message), inProcess.Failures.Select(f => f.Message));
        Assert.Equal(viaHost.Diagnostics.Where(d => d.StartsWith("Failure", StringComparison.Ordinal)), inProcess.Diagnostics.Where(d => d.StartsWith("Failure", StringComparison.Ordinal)));
    }

    /// <summary>A broken project is restored once per load, not again when the build host takes over the load.</summary>
    [Fact]
    public async Task A_project_handed_to_MSBuildWorkspace_is_not_restored_twice()
    {
        var (loaded, log) = await Load(TestPaths.Project("Broken"), inProcess: true, restore: true);
        Assert.Single(log, line => line.StartsWith("restoring ", StringComparison.Ordinal));
        Assert.Single(loaded.Failures);
    }

    /// <summary>A global.json that selects another SDK: the build host would start that SDK's MSBuild, so this one must not load it.</summary>
    [Fact]
    public async Task Declines_a_project_whose_global_json_selects_another_SDK()
    {
        var root = Path.Combine(Path.GetTempPath(), "allocation-lens-globaljson-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Directory.CreateDirectory(root);
            File.WriteAllText(Path.Combine(root, "global.json"), """{ "sdk": { "version": "8.0.100", "rollForward": "latestPatch" } }""");
            File.WriteAllText(Path.Combine(root, "Pinned.csproj"), """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup></Project>""");
            File.WriteAllText(Path.Combine(root, "A.cs"), "class A { object M() => new A(); }");
            var (_, log) = await Load(Path.Combine(root, "Pinned.csproj"), inProcess: true, restore: false);
            Assert.Contains(log, line => line.Contains("in-process load declined", StringComparison.Ordinal) && line.Contains("global.json", StringComparison.Ordinal));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
