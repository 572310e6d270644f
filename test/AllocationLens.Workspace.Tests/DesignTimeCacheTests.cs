using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>
/// Design-time results kept between runs: a load with unchanged inputs reads them and makes the same
/// projects; every kind of change the build would see (a new file, a new or edited Directory.Build.props,
/// a broken entry) makes it load again.
/// </summary>
[Collection(InProcessMSBuildCollection.Name)]
public sealed class DesignTimeCacheTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "allocation-lens-dtcache-" + Guid.NewGuid().ToString("N")[..8]);
    private string ProjectFolder => Path.Combine(_root, "src", "Lib");
    private string ProjectFile => Path.Combine(ProjectFolder, "Lib.csproj");
    private readonly DesignTimeCache _cache;

    public DesignTimeCacheTests()
    {
        Assert.Null(MsBuildRegistration.EnsureRegistered());
        _cache = new DesignTimeCache(Path.Combine(_root, "cache"));
        Directory.CreateDirectory(ProjectFolder);
        File.WriteAllText(ProjectFile, """<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>""");
        File.WriteAllText(Path.Combine(ProjectFolder, "A.cs"), "namespace Lib; public class A { public object M() => new A(); }");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private async Task<LoadedWorkspace> Load(bool restore = false) =>
        await WorkspaceLoader.LoadAsync(ProjectFile, restore: restore, inProcess: true, cache: _cache);

    /// <summary>A minute before the test: every file and folder is dated then, so only what a test changes moves.</summary>
    private readonly DateTime _then = DateTime.UtcNow.AddMinutes(-1);

    /// <summary>
    /// Results are only kept when no input is younger than the load (two seconds' margin), so a test
    /// that has just written its files moves every time back to <see cref="_then"/>.
    /// </summary>
    private void AgeEverything()
    {
        var then = _then;
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories)) File.SetLastWriteTimeUtc(file, _changed.GetValueOrDefault(file, then));
        foreach (var dir in Directory.EnumerateDirectories(_root, "*", SearchOption.AllDirectories).Append(_root)) Directory.SetLastWriteTimeUtc(dir, _changed.GetValueOrDefault(dir, then));
    }

    /// <summary>What a test changed, and the time it was changed at (after <see cref="_then"/>: real times never go back).</summary>
    private readonly Dictionary<string, DateTime> _changed = [];

    /// <summary>The project's own source files (not the SDK's generated ones under obj/).</summary>
    private IEnumerable<string> Files(LoadedWorkspace loaded) =>
        Assert.Single(loaded.Solution.Projects).Documents.Select(d => d.FilePath!)
            .Where(p => Path.GetDirectoryName(p) == ProjectFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    private static IEnumerable<string> Symbols(LoadedWorkspace loaded) =>
        ((CSharpParseOptions)Assert.Single(loaded.Solution.Projects).ParseOptions!).PreprocessorSymbolNames;

    [Fact]
    public async Task Unchanged_inputs_are_read_back_and_make_the_same_projects()
    {
        await WorkspaceLoader.LoadAsync(ProjectFile, restore: true); // restore once, outside the cache
        AgeEverything();
        var built = await Load();
        Assert.Equal((0, 1), (_cache.Hits, _cache.Misses));
        Assert.Single(Directory.GetFiles(_cache.Directory, "*.json"));
        Assert.IsNotType<Microsoft.CodeAnalysis.MSBuild.MSBuildWorkspace>(built.Workspace);

        var read = await Load();
        Assert.Equal((1, 1), (_cache.Hits, _cache.Misses));
        Assert.Equal(ProjectFingerprint.Of(built), ProjectFingerprint.Of(read));
        var compilation = (await Assert.Single(read.Solution.Projects).GetCompilationAsync())!;
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public async Task A_new_source_file_or_a_new_or_edited_Directory_Build_props_is_seen()
    {
        await WorkspaceLoader.LoadAsync(ProjectFile, restore: true);
        AgeEverything();
        await Load();
        Assert.Equal(["A.cs"], Files(await Load()));
        Assert.Equal(1, _cache.Hits);

        // A new file: its folder's time moves. The results of that load are not kept (the file is
        // younger than the load), so the next load builds again too.
        File.WriteAllText(Path.Combine(ProjectFolder, "B.cs"), "namespace Lib; public class B { }");
        Assert.Equal(["A.cs", "B.cs"], Files(await Load()));
        Assert.Equal(1, _cache.Hits);
        _changed[ProjectFolder] = _then.AddSeconds(5);
        AgeEverything();
        Assert.Equal(["A.cs", "B.cs"], Files(await Load()));
        Assert.Equal(["A.cs", "B.cs"], Files(await Load()));
        Assert.Equal(2, _cache.Hits);

        // A Directory.Build.props above the project, created after the results were kept (the folder it
        // is created in keeps its time, so only the file's own appearance can tell).
        File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), """<Project><PropertyGroup><DefineConstants>$(DefineConstants);FIRST</DefineConstants></PropertyGroup></Project>""");
        AgeEverything();
        Assert.Contains("FIRST", Symbols(await Load()));
        Assert.Equal(2, _cache.Hits);
        Assert.Contains("FIRST", Symbols(await Load()));
        Assert.Equal(3, _cache.Hits);

        // The same file edited: its own time and size.
        File.WriteAllText(Path.Combine(_root, "Directory.Build.props"), """<Project><PropertyGroup><DefineConstants>$(DefineConstants);SECOND</DefineConstants></PropertyGroup></Project>""");
        _changed[Path.Combine(_root, "Directory.Build.props")] = _then.AddSeconds(10);
        AgeEverything();
        var edited = Symbols(await Load()).ToList();
        Assert.Contains("SECOND", edited);
        Assert.DoesNotContain("FIRST", edited);
        Assert.Equal(3, _cache.Hits);
    }

    [Fact]
    public async Task A_broken_entry_is_a_miss_and_is_replaced()
    {
        await WorkspaceLoader.LoadAsync(ProjectFile, restore: true);
        AgeEverything();
        var built = await Load();
        var entry = Assert.Single(Directory.GetFiles(_cache.Directory, "*.json"));
        File.WriteAllText(entry, "{ \"Version\": 1, \"Key\": ");
        var reloaded = await Load();
        Assert.Equal((0, 2), (_cache.Hits, _cache.Misses));
        Assert.Equal(ProjectFingerprint.Of(built), ProjectFingerprint.Of(reloaded));
        Assert.Equal(ProjectFingerprint.Of(built), ProjectFingerprint.Of(await Load()));
        Assert.Equal(1, _cache.Hits);
    }
}
