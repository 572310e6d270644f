using Xunit;
using Xunit.Abstractions;
using AllocationLens.Cli;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// The differential harness on this repository's own code, as CI runs it: every object, array,
/// box and delegate site the JIT judged is compared with the static verdict of the target's own runtime.
/// A static `stack` the JIT contradicts fails the test (the worst thing the tool can say); a static heap
/// where the JIT says stack is reported in the output, never a failure.
/// </summary>
[Collection("verification")]
public class HarnessTests(VerificationEnvironment environment, ITestOutputHelper output)
{
    [Theory]
    [InlineData("samples/OrderPipeline", "10.0")]
    [InlineData("test/projects/VerifyNet8", "8.0")]
    [InlineData("test/projects/HarnessNet10", "10.0")]
    [InlineData("test/projects/Net10App", "10.0")]
    public async Task No_static_stack_is_contradicted_by_the_JIT(string path, string runtime)
    {
        var stderr = new StringWriter();
        var report = await DifferentialHarness.RunAsync(Path.Combine(environment.RepositoryRoot, path), [runtime],
            AllocationLens.Workspace.MsBuildRegistration.EnsureRegistered(), stderr);
        Assert.True(report is not null, stderr.ToString());
        foreach (var line in report.Lines()) output.WriteLine(line);
        Assert.Empty(report.Problems);
        Assert.True(report.Compared.Count > 0, $"the JIT judged no site of {path}:\n{stderr}");
        var falseStacks = report.FalseStacks.Select(c => $"{c.Site.Where}: {c.Site.Message} (JIT .NET {c.Jit.Runtime} {c.Jit.Kind})").ToList();
        Assert.True(falseStacks.Count == 0, "static stack where the JIT says heap:\n" + string.Join("\n", falseStacks));
    }

    /// <summary>The harness on test/projects/HarnessNet10 (.NET 10), and the 0-based line of a piece of code in one of its files.</summary>
    private async Task<(HarnessReport Report, Func<string, int> Line)> HarnessNet10(string file)
    {
        var report = await DifferentialHarness.RunAsync(Path.Combine(environment.RepositoryRoot, "test/projects/HarnessNet10"), ["10.0"],
            AllocationLens.Workspace.MsBuildRegistration.EnsureRegistered(), new StringWriter());
        Assert.NotNull(report);
        var lines = File.ReadAllLines(Path.Combine(environment.RepositoryRoot, "test/projects/HarnessNet10", file));
        return (report, code => Array.FindIndex(lines, l => l.Contains(code, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Delegates_in_static_constructors_and_static_initializers_are_heap_as_the_JIT_says()
    {
        var (report, line) = await HarnessNet10("StaticConstructors.cs");
        foreach (var code in new[] { "() => 1", "s_group = Seven", "() => 2", "() => 3" })
        {
            var site = Assert.Single(report.Compared, c => c.Site.Category == "delegate" && c.Site.Where.Line == line(code));
            Assert.Equal(("heap", AllocationLens.Analysis.AllocationKind.Heap), (site.Jit.Kind, site.Site.Kind));
        }
    }

    /// <summary>
    /// A generic method is compiled with the type arguments its own assembly uses: here an enum, for which the
    /// loop's box of a ulong is real. Compiled for `int` (the default for `where T : struct`), the JIT folds
    /// `Enum.GetUnderlyingType(typeof(int))` to a throw and the listing would say the box is gone.
    /// </summary>
    [Fact]
    public async Task A_generic_method_is_judged_with_the_instantiation_its_assembly_uses()
    {
        var (report, line) = await HarnessNet10("GenericInstantiations.cs");
        var box = Assert.Single(report.Compared, c => c.Site.Category == "box" && c.Site.Where.Line == line("Convert.ChangeType(v,"));
        Assert.Equal(("heap", AllocationLens.Analysis.AllocationKind.Boxed), (box.Jit.Kind, box.Site.Kind));
    }
}
