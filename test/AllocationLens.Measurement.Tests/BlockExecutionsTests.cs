using AllocationLens.Analysis;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>
/// When a heap site without samples is proven not to have allocated: only beside a counted one-object site
/// in the same basic block, with enough executions that the smallest allocation would have been sampled.
/// </summary>
public sealed class BlockExecutionsTests
{
    private const string Source = """
        public sealed class Node { public Node(int v) { } }
        public static class C
        {
            public static Node Run(string text, int i, bool rare)
            {
                var a = text.Trim();
                var n = new Node(i + a.Length);
                var c = text.ToLowerInvariant() + text.Trim();
                if (rare) { var b = text.ToUpperInvariant(); }
                return n;
            }
        }
        """;

    private static AllocationSite Site(SyntaxTree tree, string text, string category, int? bytes = null, bool last = false)
    {
        var source = tree.GetText().ToString();
        int start = last ? source.LastIndexOf(text, StringComparison.Ordinal) : source.IndexOf(text, StringComparison.Ordinal);
        Assert.True(start >= 0, text);
        var span = new TextSpan(start, text.Length);
        var where = new SourceSpan(tree.FilePath, span, tree.GetLineSpan(span).Span);
        return new AllocationSite(where, AllocationKind.Heap, category, "T", bytes, text, text, [], [], 0, ".NET 10", false);
    }

    private static (AllocationSite Trim, AllocationSite Upper, AllocationSite Node, AllocationSite Lower, List<(AllocationSite, UnsampledEvidence)> Found) Find(int samples, double objects)
    {
        var compilation = InMemoryCompiler.Compile([("/src/C.cs", Source)]);
        Assert.Empty(InMemoryCompiler.Errors(compilation));
        var tree = compilation.SyntaxTrees.Single();
        var trim = Site(tree, "text.Trim()", "call");
        var upper = Site(tree, "text.ToUpperInvariant()", "call");
        var node = Site(tree, "new Node(i + a.Length)", "object", 24);
        var lower = Site(tree, "text.ToLowerInvariant()", "call");
        var report = new MeasurementReport { Processes = 1 };
        var measured = new SiteMeasurement();
        var group = new SampleGroup(null, "Node");
        for (int i = 0; i < samples; i++) group.Add(new SampleWeight(24 * objects / samples, objects / samples));
        measured.Add(group);
        report.Sites[node] = measured;
        var secondTrim = Site(tree, "text.Trim()", "call", last: true);
        AllocationSite[] sites = [trim, upper, node, lower, secondTrim];
        var found = BlockExecutions.Find(sites, report, _ => tree, t => compilation.GetSemanticModel(t), default).ToList();
        return (trim, upper, node, lower, found);
    }

    [Fact]
    public void A_site_in_the_counted_sites_block_is_settled_and_sites_in_other_blocks_or_shared_statements_are_not()
    {
        var (trim, upper, _, lower, found) = Find(samples: 400, objects: 1_000_000);
        var (site, evidence) = Assert.Single(found);
        Assert.Same(trim, site);
        // Two standard errors below the count: 1,000,000 × (1 − 2/√400) = 900,000.
        Assert.Equal(900_000, evidence.Executions, 1);
        Assert.True(evidence.ExpectedSamples > 200, $"{evidence.ExpectedSamples}");
        // `upper` runs only when `rare` is true (another block); `lower` shares its statement with another site.
        Assert.DoesNotContain(found, f => f.Item1 == upper || f.Item1 == lower);
    }

    [Fact]
    public void Too_few_executions_or_too_few_samples_settle_nothing()
    {
        // 20,000 executions of a 24-byte object: about 4.7 samples expected, under the five required.
        Assert.Empty(Find(samples: 400, objects: 20_000).Found);
        // A count resting on fewer than ten samples is too uncertain.
        Assert.Empty(Find(samples: 9, objects: 1_000_000).Found);
    }
}
