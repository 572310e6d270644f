using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>
/// References bound ahead are the ones the first compilations use: the same assembly symbols, not a copy
/// bound again (what makes binding them early pay: ReferenceWarmUp, AdHocCompilation.BindFramework).
/// </summary>
public sealed class ReferenceWarmUpTests
{
    private static IEnumerable<MetadataReference> Framework() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is "System.Runtime.dll" or "System.Private.CoreLib.dll" or "System.Collections.dll")
            .Select(p => MetadataReference.CreateFromFile(p));

    private static (Solution Solution, string OpenPath, ProjectId Other) TwoProjects()
    {
        var workspace = new AdhocWorkspace();
        var open = ProjectId.CreateNewId();
        var other = ProjectId.CreateNewId();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary);
        var openPath = Path.Combine(Path.GetTempPath(), "warm-up-open", "Open.cs");
        var solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(open, VersionStamp.Create(), "Open", "Open", LanguageNames.CSharp, compilationOptions: options, metadataReferences: Framework()))
            .AddDocument(DocumentId.CreateNewId(open), "Open.cs", "class Open { object M() => new object(); }", filePath: openPath)
            .AddProject(ProjectInfo.Create(other, VersionStamp.Create(), "Other", "Other", LanguageNames.CSharp, compilationOptions: options, metadataReferences: Framework()))
            .AddDocument(DocumentId.CreateNewId(other), "Other.cs", "class Other { }", filePath: Path.Combine(Path.GetTempPath(), "warm-up-other", "Other.cs"));
        return (solution, openPath, other);
    }

    [Fact]
    public async Task The_open_files_project_compiles_with_the_references_bound_ahead()
    {
        var (solution, openPath, _) = TwoProjects();
        var bound = await ReferenceWarmUp.BindAsync(solution, [openPath]);

        var warm = Assert.Single(bound); // only the open file's project (it references no other)
        Assert.Equal("Open", warm.AssemblyName);
        var project = solution.Projects.Single(p => p.Name == "Open");
        var compilation = (await project.GetCompilationAsync())!;
        Assert.Same(warm.GetSpecialType(SpecialType.System_Object).ContainingAssembly, compilation.GetSpecialType(SpecialType.System_Object).ContainingAssembly);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public async Task Nothing_is_bound_when_no_open_file_is_in_a_project()
    {
        var (solution, _, _) = TwoProjects();
        Assert.Empty(await ReferenceWarmUp.BindAsync(solution, [Path.Combine(Path.GetTempPath(), "elsewhere", "Loose.cs")]));
    }

    [Fact]
    public void Ad_hoc_compilations_reuse_the_framework_bound_at_start_even_after_a_collection()
    {
        AdHocCompilation.BindFramework();
        // Nothing but the bound framework keeps the first compilation's assembly symbols alive.
        var first = CoreLibOfAnAdHocCompilation("class A { }");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var second = AdHocCompilation.Create([AdHocCompilation.Parse("class B { }", "B.cs")]).GetSpecialType(SpecialType.System_Object).ContainingAssembly;
        Assert.True(first.IsAlive);
        Assert.Same(first.Target, second);
    }

    [Fact]
    public async Task The_framework_is_bound_once_and_compilations_made_after_waiting_for_it_use_its_symbols()
    {
        var binding = AdHocCompilation.StartBindingFramework();
        Assert.Same(binding, AdHocCompilation.StartBindingFramework());
        // The ad-hoc snapshot waits for this before compiling, so it never binds the framework beside it.
        await AdHocCompilation.FrameworkBound.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(binding.IsCompletedSuccessfully);
        var first = AdHocCompilation.Create([AdHocCompilation.Parse("class C { }", "C.cs")]).GetSpecialType(SpecialType.System_Object).ContainingAssembly;
        var second = AdHocCompilation.Create([AdHocCompilation.Parse("class D { }", "D.cs")]).GetSpecialType(SpecialType.System_Object).ContainingAssembly;
        Assert.Same(first, second);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference CoreLibOfAnAdHocCompilation(string text) =>
        new(AdHocCompilation.Create([AdHocCompilation.Parse(text, "A.cs")]).GetSpecialType(SpecialType.System_Object).ContainingAssembly);
}
