using System.Collections.Immutable;
using AllocationLens.Analysis;
using AllocationLens.Cli;
using AllocationLens.Verification;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>Which site of a sequence point takes a sample, and when a measured `stack` site is a disagreement.</summary>
public sealed class SiteChargingTests
{
    // One statement on line 10 (1-based), columns 5..60: `var n = new Node(Describe(x), (object)x);`.
    private static readonly AllocationSite Node = Site(10, 13, "object", "Node", AllocationKind.Heap);
    private static readonly AllocationSite Described = Site(10, 22, "string", "string", AllocationKind.Heap);
    private static readonly AllocationSite Boxed = Site(10, 44, "box", "int", AllocationKind.Boxed);
    private static readonly AllocationSite Closure = Site(10, 5, "closure", "<closure>", AllocationKind.Heap);
    private static readonly AllocationSite[] Statement = [Node, Described, Boxed, Closure];

    [Fact]
    public void The_site_of_the_allocated_type_takes_the_sample_else_the_first_in_source_order()
    {
        Assert.Same(Node, SiteMatcher.SiteForSample(Statement, 10, 5, 10, 60, "Lib.Node"));
        Assert.Same(Described, SiteMatcher.SiteForSample(Statement, 10, 5, 10, 60, "System.String"));
        Assert.Same(Boxed, SiteMatcher.SiteForSample(Statement, 10, 5, 10, 60, "System.Int32"));
        // A type no site names (something the framework made inside a call): the first site of the statement.
        Assert.Same(Node, SiteMatcher.SiteForSample(Statement, 10, 5, 10, 60, "System.Char[]"));
        // A sequence point that holds no site's start: nothing (an unexplained allocation).
        Assert.Null(SiteMatcher.SiteForSample(Statement, 11, 5, 11, 60, "Lib.Node"));
    }

    [Fact]
    public void Display_classes_go_only_to_closure_sites_and_stack_sites_take_only_their_own_type()
    {
        Assert.Same(Closure, SiteMatcher.SiteForSample(Statement, 10, 5, 10, 60, "Lib.C+<>c__DisplayClass0_0"));
        Assert.Null(SiteMatcher.SiteForSample([Node], 10, 5, 10, 60, "Lib.C+<>c__DisplayClass0_0"));
        var onStack = Site(10, 13, "object", "Node", AllocationKind.Stack);
        Assert.Null(SiteMatcher.SiteForSample([onStack], 10, 5, 10, 60, "System.String"));
        Assert.Same(onStack, SiteMatcher.SiteForSample([onStack], 10, 5, 10, 60, "Lib.Node"));
    }

    [Fact]
    public void An_array_of_a_type_is_never_charged_to_a_site_of_that_type()
    {
        // `xs.Select(x => new Token<char>(x)).ToArray()`: the struct is a stack site; ToArray's Token<char>[] is not it.
        var token = Site(10, 30, "struct", "Token<char>", AllocationKind.Stack);
        var toArray = Site(10, 5, "call", "Token<char>[]", AllocationKind.Heap);
        Assert.Null(SiteMatcher.SiteForSample([token], 10, 5, 10, 60, "Lib.Token`1[System.Char][]"));
        Assert.Same(toArray, SiteMatcher.SiteForSample([token, toArray], 10, 5, 10, 60, "Lib.Token`1[System.Char][]"));
        Assert.Same(token, SiteMatcher.SiteForSample([token, toArray], 10, 5, 10, 60, "Lib.Token`1[System.Char]"));
        var box = Site(10, 5, "box", "int", AllocationKind.Boxed);
        var ints = Site(10, 40, "array", "int[]", AllocationKind.Heap);
        Assert.Same(ints, SiteMatcher.SiteForSample([box, ints], 10, 5, 10, 60, "System.Int32[]"));
        Assert.Same(box, SiteMatcher.SiteForSample([box, ints], 10, 5, 10, 60, "System.Int32"));
        Assert.True(SiteMatcher.IsArray("int[,]"));
        Assert.False(SiteMatcher.IsArray("System.Collections.Generic.List`1[System.Int32]"));
    }

    [Fact]
    public void A_stack_verdict_disagrees_with_a_measurement_unless_it_allocates_once_per_process_by_design()
    {
        var onStack = Site(10, 13, "object", "Node", AllocationKind.Stack);
        var cached = Site(10, 30, "delegate", "Func<int>", AllocationKind.Stack) with { VerdictNeedsNoJit = true };
        var report = new MeasurementReport { Processes = 3 };
        report.Sites[onStack] = Measured(1);
        report.Sites[cached] = Measured(2);
        Assert.StartsWith("static stack, yet measured ~", MeasuredLines.Disagreement(onStack, report, null, "net10.0"));
        // A cached delegate is made once per process: two samples in three processes prove nothing.
        Assert.Null(MeasuredLines.Disagreement(cached, report, null, "net10.0"));
        report.Sites[cached] = Measured(4);
        Assert.NotNull(MeasuredLines.Disagreement(cached, report, null, "net10.0"));
        report.Sites[Node] = Measured(50);
        Assert.Null(MeasuredLines.Disagreement(Node, report, null, "net10.0"));
        Assert.Null(MeasuredLines.Disagreement(Described, report, null, "net10.0"));
    }

    [Fact]
    public void Samples_taken_only_in_tier_zero_code_contradict_no_stack_verdict()
    {
        // Tier 0 never stack-allocates; both stack verdicts are about optimized code.
        var onStack = Site(10, 13, "object", "Node", AllocationKind.Stack);
        var report = new MeasurementReport { Processes = 1 };
        report.Sites[onStack] = Measured(20, unoptimized: true);
        Assert.Equal(0, report.Sites[onStack].OptimizedSamples);
        Assert.Null(MeasuredLines.Disagreement(onStack, report, null, "net10.0"));
        Assert.Contains("all in tier-0 code", MeasuredLines.Text(onStack, report, null, "net10.0"));
        report.Sites[onStack].Add(Group(3, unoptimized: false));
        Assert.StartsWith("static stack, yet measured ~", MeasuredLines.Disagreement(onStack, report, null, "net10.0"));
    }

    private static SampleGroup Group(int samples, bool unoptimized)
    {
        var group = new SampleGroup(new UserFrame("/bin/Lib.dll", 0x06000001, 4, "Lib.C.M()", unoptimized), "Lib.Node");
        for (int i = 0; i < samples; i++) group.Add(SampleWeight.Sampled(32));
        return group;
    }

    private static SiteMeasurement Measured(int samples, bool unoptimized)
    {
        var measured = new SiteMeasurement();
        measured.Add(Group(samples, unoptimized));
        return measured;
    }

    private static SiteMeasurement Measured(int samples)
    {
        var measured = new SiteMeasurement();
        var group = new SampleGroup(null, "T");
        for (int i = 0; i < samples; i++) group.Add(SampleWeight.Sampled(64));
        measured.Add(group);
        return measured;
    }

    /// <summary>A site starting at a 1-based line and column of /src/C.cs.</summary>
    private static AllocationSite Site(int line, int column, string category, string type, AllocationKind kind)
    {
        var start = new LinePosition(line - 1, column - 1);
        var where = new SourceSpan("/src/C.cs", new TextSpan(line * 100 + column, 4), new LinePositionSpan(start, new LinePosition(line - 1, column + 3)));
        return new AllocationSite(where, kind, category, type, 24, type, $"{category} {type}", [], [], 0, ".NET 10", true);
    }
}
