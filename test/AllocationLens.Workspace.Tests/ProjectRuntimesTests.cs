using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;
using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>
/// Which runtime's JIT judges each project (test/projects/LibraryRuntimes): an app its own, a library
/// the runtime of the apps that load it, a library no app loads the chosen one. Loaded through MSBuild.
/// </summary>
public sealed class ProjectRuntimesTests
{
    public ProjectRuntimesTests() => Assert.Null(MsBuildRegistration.EnsureRegistered());

    private static string Fixture(string relative) => Path.Combine(TestPaths.Project("LibraryRuntimes"), relative);

    private static async Task<(LoadedWorkspace Loaded, Project Lib)> Load(string path, RuntimeChoice? choice = null)
    {
        var loaded = await WorkspaceLoader.LoadAsync(path);
        if (choice is not null) loaded = loaded.WithRuntimeChoice(choice);
        return (loaded, loaded.Solution.Projects.Single(p => p.Name == "Lib"));
    }

    /// <summary>The non-escaping `new Circle(r)` in Lib/Shapes.cs, judged for the project's primary runtime.</summary>
    private static async Task<AllocationSite> LocalCircle(LoadedWorkspace loaded, Project lib)
    {
        var compilation = (await lib.GetCompilationAsync())!;
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("Shapes.cs", StringComparison.Ordinal));
        var sites = new AllocationAnalyzer(loaded.RuntimeOf(lib.Id)).Analyze(compilation, tree);
        return sites.Single(s => tree.GetText().Lines[s.Where.Line].ToString().Contains("var c = new Circle", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_netstandard_library_an_app_references_is_judged_for_the_apps_runtime()
    {
        var (loaded, lib) = await Load(Fixture("App/App.csproj"));
        Assert.Equal("netstandard2.0", loaded.TargetOf(lib.Id));
        var runtimes = loaded.RuntimesOf(lib.Id);
        Assert.Equal((".NET 10", RuntimeOrigin.ReferencingApp), (runtimes.Primary.DisplayName, runtimes.Origin));
        Assert.Equal("the runtime of `App`, which references this library", runtimes.Primary.Reason);
        Assert.Empty(runtimes.Others);
        var app = loaded.Solution.Projects.Single(p => p.Name == "App");
        Assert.Equal((".NET 10", RuntimeOrigin.App), (loaded.RuntimeOf(app.Id).DisplayName, loaded.RuntimesOf(app.Id).Origin));

        var site = await LocalCircle(loaded, lib);
        Assert.Equal(AllocationKind.Stack, site.Kind);
        Assert.Equal(".NET 10 (the runtime of `App`, which references this library), optimized (Release, Tier-1)", site.Runtime);
    }

    [Fact]
    public async Task A_library_no_app_references_is_judged_for_the_chosen_runtime_else_the_newest_installed()
    {
        var (loaded, lib) = await Load(Fixture("Lib/Lib.csproj"));
        var newest = InstalledDotnetRuntimes.Versions()[0];
        var runtimes = loaded.RuntimesOf(lib.Id);
        Assert.Equal(($".NET {newest.Major}", RuntimeOrigin.Chosen), (runtimes.Primary.DisplayName, runtimes.Origin));
        Assert.Equal($"no app in the workspace references this library; the newest .NET runtime installed ({newest})", runtimes.Primary.Reason);

        // The user's choice wins over the newest installed: .NET 8 stack-allocates no object.
        var eight = RuntimeChoice.Parse(["8.0"], "allocationLens.runtime is 8.0", out var error);
        Assert.Null(error);
        var chosen = loaded.WithRuntimeChoice(eight);
        Assert.Equal(".NET 8", chosen.RuntimeOf(lib.Id).DisplayName);
        var site = await LocalCircle(chosen, lib);
        Assert.Equal(AllocationKind.Heap, site.Kind);
        Assert.Contains(".NET 8 does not stack-allocate objects", site.Message);
        Assert.StartsWith(".NET 8 (no app in the workspace references this library; allocationLens.runtime is 8.0)", site.Runtime);
    }

    [Fact]
    public async Task A_library_only_a_NET_Framework_app_references_is_judged_for_NET_Framework()
    {
        var (loaded, lib) = await Load(Fixture("FxApp/FxApp.csproj"));
        var runtimes = loaded.RuntimesOf(lib.Id);
        Assert.Equal((".NET Framework", RuntimeOrigin.ReferencingApp), (runtimes.Primary.DisplayName, runtimes.Origin));
        Assert.Equal("the runtime of `FxApp`, which references this library", runtimes.Primary.Reason);
        var site = await LocalCircle(loaded, lib);
        Assert.Equal(AllocationKind.Heap, site.Kind);
        Assert.Contains(".NET Framework does not stack-allocate objects", site.Message);
    }

    [Fact]
    public async Task A_library_two_apps_load_is_judged_for_the_newest_runtime_and_keeps_the_other_in_play()
    {
        var (loaded, lib) = await Load(TestPaths.Project("LibraryRuntimes"));
        var runtimes = loaded.RuntimesOf(lib.Id);
        Assert.Equal(".NET 10", runtimes.Primary.DisplayName);
        var other = Assert.Single(runtimes.Others);
        Assert.Equal((".NET Framework", "the runtime of `FxApp`, which references this library"), (other.DisplayName, other.Reason));
    }

    [Fact]
    public async Task Each_target_of_a_multi_targeted_library_gets_the_runtime_that_loads_it_and_the_chosen_one_is_primary()
    {
        var loaded = await WorkspaceLoader.LoadAsync(Fixture("MultiLib/MultiLib.csproj"));
        loaded = loaded.WithRuntimeChoice(RuntimeChoice.Parse(["10.0"], "--runtime 10.0", out _));
        var byTarget = loaded.Solution.Projects.ToDictionary(p => loaded.TargetOf(p.Id), p => loaded.RuntimesOf(p.Id));
        Assert.Equal(["net10.0", "net8.0", "netstandard2.0"], byTarget.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((".NET 10", RuntimeOrigin.Chosen), (byTarget["net10.0"].Primary.DisplayName, byTarget["net10.0"].Origin));
        Assert.Equal((".NET 8", "the net8.0 build, which apps on .NET 8 load"), (byTarget["net8.0"].Primary.DisplayName, byTarget["net8.0"].Primary.Reason));
        Assert.Equal(".NET Framework", byTarget["netstandard2.0"].Primary.DisplayName);
        // The file's hints are judged in the net10.0 target.
        var path = Fixture("MultiLib/Points.cs");
        var primary = loaded.PrimaryDocument(loaded.Solution.GetDocumentIdsWithFilePath(path))!;
        Assert.Equal("net10.0", loaded.TargetOf(primary.ProjectId));

        // .NET 9 chosen: it loads the net8.0 build (the nearest target it can run), which becomes primary.
        var nine = loaded.WithRuntimeChoice(RuntimeChoice.Parse(["9"], "--runtime 9", out _));
        var net8 = nine.Solution.Projects.Single(p => nine.TargetOf(p.Id) == "net8.0");
        Assert.Equal(".NET 9", nine.RuntimeOf(net8.Id).DisplayName);
        Assert.Equal("net8.0", nine.TargetOf(nine.PrimaryDocument(nine.Solution.GetDocumentIdsWithFilePath(path))!.ProjectId));
    }

    [Theory]
    [InlineData("", null, ".NET 8", "an app targeting net8.0")]
    [InlineData("<RollForward>Major</RollForward>", null, ".NET 8", "an app targeting net8.0")] // 8 installed: Major keeps it
    [InlineData("<RollForward>LatestMajor</RollForward>", null, ".NET 10", "RollForward LatestMajor")]
    [InlineData("<RuntimeFrameworkVersion>9.0.23</RuntimeFrameworkVersion>", null, ".NET 9", "pins RuntimeFrameworkVersion 9.0.23")]
    [InlineData("<RollForward>Major</RollForward>", "10.0.12", ".NET 10", "RollForward Major, and .NET 8 is not installed")]
    public void An_apps_runtime_honours_RollForward_and_RuntimeFrameworkVersion(string property, string? onlyInstalled, string expected, string reason)
    {
        var folder = Directory.CreateTempSubdirectory("allocation-lens-rollforward-").FullName;
        try
        {
            var project = Path.Combine(folder, "Tool.csproj");
            File.WriteAllText(project, $"<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net8.0</TargetFramework>{property}</PropertyGroup></Project>");
            IReadOnlyList<Version> installed = onlyInstalled is null ? [new(10, 0, 12), new(9, 0, 23), new(8, 0, 34)] : [Version.Parse(onlyInstalled)];
            var runtime = ProjectRuntimes.ForProjectFile(project, "net8.0", RuntimeChoice.NewestInstalled(installed), installed);
            Assert.Equal(expected, runtime.DisplayName);
            Assert.Contains(reason, runtime.Reason);
        }
        finally { Directory.Delete(folder, recursive: true); }
    }

    [Theory]
    [InlineData("10", ".NET 10")]
    [InlineData("10.0.12", ".NET 10")]
    [InlineData("net8.0", ".NET 8")]
    [InlineData("framework", ".NET Framework")]
    [InlineData("net48", ".NET Framework")]
    [InlineData("netstandard2.0", null)]
    [InlineData("ten", null)]
    public void A_runtime_is_named_as_users_write_it(string value, string? expected) =>
        Assert.Equal(expected, RuntimeChoice.TryParseOne(value)?.DisplayName);

    /// <summary>
    /// A library's targets nothing in the workspace loads, as NuGet hands them out: each app takes the
    /// nearest target it can run, so a netstandard build serves only the runtimes the other targets leave.
    /// Pure: an in-memory solution, no MSBuild.
    /// </summary>
    [Fact]
    public void Each_target_of_a_library_no_app_loads_is_judged_for_the_runtimes_it_serves()
    {
        string[] targets = ["net9.0", "net8.0", "netstandard2.1", "netstandard2.0", "net48"];
        var solution = new AdhocWorkspace().CurrentSolution;
        var tfms = new Dictionary<ProjectId, string>();
        foreach (var tfm in targets)
        {
            var id = ProjectId.CreateNewId();
            tfms[id] = tfm;
            solution = solution.AddProject(ProjectInfo.Create(id, VersionStamp.Default, $"Lib({tfm})", "Lib", LanguageNames.CSharp, filePath: "/nowhere/Lib/Lib.csproj",
                compilationOptions: new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)));
        }
        IReadOnlyList<Version> installed = [new(10, 0, 12)];
        var runtimes = ProjectRuntimes.Resolve(solution, id => tfms[id], RuntimeChoice.NewestInstalled(installed), installed);
        JudgedRuntimes Of(string tfm) => runtimes[tfms.Single(p => p.Value == tfm).Key];

        // The newest .NET target is loaded by the newest runtime, and by apps on its own runtime too.
        Assert.Equal((".NET 10", RuntimeOrigin.Chosen), (Of("net9.0").Primary.DisplayName, Of("net9.0").Origin));
        Assert.Equal([".NET 9"], Of("net9.0").Others.Select(r => r.DisplayName));
        Assert.Equal(".NET 8", Of("net8.0").Primary.DisplayName);
        // netstandard2.1 never runs on .NET Framework: .NET Core 3.0 to .NET 7 load it.
        Assert.Equal((".NET 7", "the netstandard2.1 build, which apps on .NET Core 3.0 to .NET 7 load (newer ones load a .NET target)"),
            (Of("netstandard2.1").Primary.DisplayName, Of("netstandard2.1").Primary.Reason));
        // With 2.1 and net48 beside it, netstandard2.0 serves .NET Core 2.x only.
        Assert.Equal(".NET Core 2", Of("netstandard2.0").Primary.DisplayName);
        Assert.Equal(".NET Framework", Of("net48").Primary.DisplayName);

        // Without a net4x target, .NET Framework apps load netstandard2.0.
        var noFramework = solution.RemoveProject(tfms.Single(p => p.Value == "net48").Key).RemoveProject(tfms.Single(p => p.Value == "netstandard2.1").Key);
        var again = ProjectRuntimes.Resolve(noFramework, id => tfms[id], RuntimeChoice.NewestInstalled(installed), installed);
        Assert.Equal(".NET Framework", again[tfms.Single(p => p.Value == "netstandard2.0").Key].Primary.DisplayName);
    }
}
