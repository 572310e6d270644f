using AllocationLens.Analysis;
using AllocationLens.Server;
using AllocationLens.TestSupport;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>
/// The hover names the runtime a verdict was judged for; a target newer than the newest measured runtime
/// (TargetRuntime.NewestMeasuredMajor) is judged as that runtime, and the hover says so.
/// </summary>
public sealed class HoverRuntimeTests
{
    private const string Source = """
        public sealed class Point { public int X; }
        public static class Demo
        {
            public static object Make() => new Point();
            public static int Sum() { var p = new Point(); return p.X; }
        }
        """;

    private static string Hover(string tfm, string locator)
    {
        var compilation = InMemoryCompiler.Compile([("Demo.cs", Source)]);
        var sites = new AllocationAnalyzer(TargetRuntime.Parse(tfm)).Analyze(compilation, compilation.SyntaxTrees.Single());
        int at = Source.IndexOf(locator, StringComparison.Ordinal);
        var site = Assert.Single(sites, s => s.Where.Span.Start == at);
        return SiteRendering.HoverMarkdown(site, "file:///Demo.cs");
    }

    [Fact]
    public void A_target_newer_than_every_measured_runtime_is_judged_as_the_newest_and_says_so()
    {
        int newer = TargetRuntime.NewestMeasuredMajor + 1;
        var hover = Hover($"net{newer}.0", "new Point(); return");

        Assert.Contains($"Judged for .NET {newer}, optimized (Release, Tier-1); judged as .NET {TargetRuntime.NewestMeasuredMajor}, the newest runtime measured.", hover);
        // The reason itself names the runtime whose behaviour was used, not the unmeasured one.
        Assert.Contains($".NET {TargetRuntime.NewestMeasuredMajor} stack-allocates non-escaping objects", hover);
        Assert.DoesNotContain($".NET {newer} ", hover);
        Assert.StartsWith("**stack**", hover);
    }

    [Fact]
    public void A_measured_target_names_only_itself()
    {
        var hover = Hover($"net{TargetRuntime.NewestMeasuredMajor}.0", "new Point(); return");

        Assert.Contains($"Judged for .NET {TargetRuntime.NewestMeasuredMajor}, optimized (Release, Tier-1).", hover);
        Assert.DoesNotContain("newest runtime measured", hover);
    }

    [Fact]
    public void An_escaping_object_on_a_newer_target_is_heap_with_the_same_wording()
    {
        int newer = TargetRuntime.NewestMeasuredMajor + 1;
        var hover = Hover($"net{newer}.0", "new Point();\n");

        Assert.StartsWith("**heap**", hover);
        Assert.Contains("returned from `Make`", hover);
        Assert.Contains($"judged as .NET {TargetRuntime.NewestMeasuredMajor}, the newest runtime measured", hover);
    }
}
