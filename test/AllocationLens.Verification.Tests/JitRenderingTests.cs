using Xunit;
using System.Collections.Immutable;
using AllocationLens.Analysis;
using AllocationLens.Server;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Verification.Tests;

/// <summary>How a verified site reads: agreement, disagreement (impossible to miss), and the per-runtime line.</summary>
public class JitRenderingTests
{
    private static AllocationSite Site(AllocationKind kind) => new(
        new SourceSpan("/src/A.cs", new TextSpan(10, 11), new(new(3, 4), new(3, 15))), kind, "object", "Point", 24, "new Point()",
        "new Point() stays local: the JIT stack-allocates it", [], [], 0, "net10.0, optimized", true);

    private static SiteJit Jit(params (string Runtime, string Kind)[] verdicts) =>
        new([.. verdicts.Select(v => new JitVerdict(v.Runtime, v.Kind))], []);

    private static readonly string[] Runtimes = ["11.0.0", "10.0.12", "9.0.23"];

    [Fact]
    public void Agreement_marks_the_hint_verified()
    {
        var hint = SiteRendering.Hint(Site(AllocationKind.Stack), Jit(("11.0.0", "stack"), ("10.0.12", "stack"), ("9.0.23", "heap")), "net10.0", Runtimes);
        Assert.Equal("stack ✓", hint.Label);
    }

    [Fact]
    public void Disagreement_has_its_own_hint_form_and_an_explaining_hover()
    {
        var site = Site(AllocationKind.Stack);
        var jit = Jit(("11.0.0", "heap"), ("10.0.12", "heap"), ("9.0.23", "heap"));
        Assert.Equal("⚠ stack · JIT heap", SiteRendering.Hint(site, jit, "net10.0", Runtimes).Label);
        var hover = SiteRendering.HoverMarkdown(site, "file:///src/A.cs", null, jit, "net10.0", Runtimes);
        Assert.Contains("The JIT disagrees", hover);
        Assert.Contains("kept an allocation helper call", hover);
        // The target's own runtime first, then the others newest first.
        Assert.Contains("JIT .NET 10.0.12: heap · .NET 11.0.0: heap · .NET 9.0.23: heap", hover);
    }

    [Fact]
    public void A_target_whose_runtime_is_not_installed_compares_with_the_oldest_verified_runtime()
    {
        var hint = SiteRendering.Hint(Site(AllocationKind.Heap), Jit(("10.0.12", "stack"), ("9.0.23", "heap")), "net8.0", ["10.0.12", "9.0.23"]);
        Assert.Equal("heap ✓", hint.Label);
    }

    [Fact]
    public void A_site_the_JIT_could_not_judge_keeps_its_plain_form()
    {
        var jit = new SiteJit([], ["10.0.12: 1 of 2 allocations of Point remain; the listing does not say which"]);
        Assert.Equal("heap", SiteRendering.Hint(Site(AllocationKind.Heap), jit, "net10.0", Runtimes).Label);
        Assert.Contains("JIT not judged", SiteRendering.HoverMarkdown(Site(AllocationKind.Heap), "file:///src/A.cs", null, jit, "net10.0", Runtimes));
    }
}
