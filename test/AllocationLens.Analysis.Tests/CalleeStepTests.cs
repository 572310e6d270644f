using AllocationLens.Analysis;
using AllocationLens.TestSupport;
using Xunit;

namespace AllocationLens.Analysis.Tests;

/// <summary>
/// Steps that happen inside a callee say so ("inside `FormatWith(object)`: …"), and a step in another file
/// than the call names that file. Two files, so not a single-file fixture.
/// </summary>
public sealed class CalleeStepTests
{
    [Fact]
    public void A_step_inside_a_callee_in_another_file_names_the_callee_and_the_file()
    {
        const string helpers = """
            using System.Collections.Generic;
            namespace Demo;
            public static class Sinks
            {
                static readonly List<object> s_items = new();
                public static void FormatWith(object o) { Keep(o); }
                static void Keep(object o) { s_items.Add(o); }
            }
            """;
        const string caller = """
            namespace Demo;
            public sealed class Point { public int X; }
            public static class Uses
            {
                public static int Caller() { var p = new Point(); Sinks.FormatWith(p); return p.X; }
            }
            """;
        var compilation = InMemoryCompiler.Compile([("src/Helpers.cs", helpers), ("src/Uses.cs", caller)]);
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath.EndsWith("Uses.cs", StringComparison.Ordinal));
        var site = new AllocationAnalyzer(TargetRuntime.Parse("net10.0")).Analyze(compilation, tree).Single(s => s.Subject.Contains("new Point", StringComparison.Ordinal));

        Assert.Equal(AllocationKind.Heap, site.Kind);
        var steps = site.Why.Select(w => w.Text).ToList();
        Assert.Contains(steps, t => t.StartsWith("passed to parameter `o` of `Sinks.FormatWith(object)`", StringComparison.Ordinal));
        // The callee's own step, in Helpers.cs: where it is and whose it is.
        Assert.Contains(steps, t => t.StartsWith("(in Helpers.cs) inside `Sinks.FormatWith(object)`: passed to parameter `o` of `Sinks.Keep(object)`", StringComparison.Ordinal));
        // A deeper callee's step keeps that callee's name.
        Assert.Contains(steps, t => t.StartsWith("(in Helpers.cs) inside `Sinks.Keep(object)`: ", StringComparison.Ordinal));
    }
}
