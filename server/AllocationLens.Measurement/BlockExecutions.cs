using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Measurement;

/// <summary>
/// When a site without samples provably allocated nothing there: a heap verdict is then wrong, a stack verdict confirmed. Sampling sees about one allocation per
/// 100 KB, so "no samples" alone says nothing about a small site, and neither does "its method ran often"
/// (30 calls of a 24-byte allocation are 720 bytes). What does say something is a count of executions: a
/// measured site that makes exactly one object each time it runs (object, array, box, delegate, params)
/// made about as many objects as its code ran, and a site in the same basic block of the control-flow
/// graph (straight-line code: whenever one runs, so does the other, exceptions aside) ran as often. At
/// that count, and at the smallest size the site could allocate (its static size, never below the 24 bytes
/// of the smallest object on 64-bit), the expected number of samples is executions × (1 − (1 − 1/102,400)^size);
/// the site is set apart only when at least <see cref="MinimumExpectedSamples"/> were expected (no sample then
/// has a probability under 1%). The count is the neighbour's estimate lowered by two standard errors
/// (2/√samples), and a neighbour needs <see cref="MinimumNeighbourSamples"/> samples. A site that shares its
/// statement with another site is left alone: a sample of a type neither names goes to the first site of
/// the statement, so its absence there proves nothing. Sites in lambdas and local functions are left alone too
/// (their code is a graph of its own).
/// </summary>
public static class BlockExecutions
{
    public const double MinimumExpectedSamples = 5;
    public const int MinimumNeighbourSamples = 10;
    private const int SmallestObject = 24;

    private static readonly HashSet<string> OneObjectPerExecution = new(StringComparer.Ordinal) { "object", "array", "box", "delegate", "params" };

    public static IEnumerable<(AllocationSite Site, UnsampledEvidence Evidence)> Find(IReadOnlyList<AllocationSite> sites, MeasurementReport report,
        Func<string, SyntaxTree?> treeOf, Func<SyntaxTree, SemanticModel?> modelOf, CancellationToken cancellationToken)
    {
        var counters = new List<(AllocationSite Site, double Executions)>();
        foreach (var (site, measured) in report.Sites)
            if (site.Kind != AllocationKind.Stack && OneObjectPerExecution.Contains(site.Category) && measured.Samples >= MinimumNeighbourSamples)
                counters.Add((site, measured.Objects * (1 - 2 / Math.Sqrt(measured.Samples))));
        if (counters.Count == 0) yield break;
        // Stack sites too: there the same evidence confirms the verdict (the differential harness counts it).
        var candidates = sites.Where(s => !report.Sites.ContainsKey(s) && report.CoverageOf(s) != SiteCoverage.NeverRan).ToList();
        var countersByDocument = counters.ToLookup(c => SiteAttribution.Normalize(c.Site.Where.Path), TraceSamples.PathComparer);
        var sitesByDocument = sites.ToLookup(s => SiteAttribution.Normalize(s.Where.Path), TraceSamples.PathComparer);
        foreach (var document in candidates.GroupBy(s => SiteAttribution.Normalize(s.Where.Path), TraceSamples.PathComparer))
        {
            if (!countersByDocument.Contains(document.Key)) continue;
            var tree = treeOf(document.First().Where.Path);
            if (tree is null || modelOf(tree) is not { } model) continue;
            var root = tree.GetRoot(cancellationToken);
            var graphs = new Dictionary<SyntaxNode, ControlFlowGraph?>();
            (SyntaxNode Function, int Block)? Locate(AllocationSite site)
            {
                var function = SiteAttribution.FunctionOwning(root.FindToken(site.Where.Span.Start).Parent, site.Where.Span.Start);
                if (function is not (BaseMethodDeclarationSyntax or AccessorDeclarationSyntax)) return null;
                if (!graphs.TryGetValue(function, out var graph)) graphs[function] = graph = GraphOf(function, model, cancellationToken);
                return graph is null ? null : BlockOf(graph, site.Where.Span.Start) is { } block ? (function, block) : null;
            }
            var located = countersByDocument[document.Key].Select(c => (c.Site, c.Executions, At: Locate(c.Site))).Where(c => c.At is not null).ToList();
            if (located.Count == 0) continue;
            foreach (var site in document)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (SharesItsStatement(site, root, sitesByDocument[document.Key])) continue;
                if (Locate(site) is not { } at) continue;
                var best = located.Where(c => c.At == at).OrderByDescending(c => c.Executions).FirstOrDefault();
                if (best.Site is null || best.Executions <= 0) continue;
                int size = Math.Max(SmallestObject, site.Bytes ?? 0);
                double expected = best.Executions * (1 - Math.Pow(1 - SampleWeight.SamplingProbability, size));
                if (expected >= MinimumExpectedSamples) yield return (site, new UnsampledEvidence(best.Executions, expected, best.Site));
            }
        }
    }

    private static ControlFlowGraph? GraphOf(SyntaxNode function, SemanticModel model, CancellationToken cancellationToken)
    {
        try
        {
            return model.GetOperation(function, cancellationToken) switch
            {
                IMethodBodyOperation body => ControlFlowGraph.Create(body, cancellationToken),
                IConstructorBodyOperation body => ControlFlowGraph.Create(body, cancellationToken),
                _ => null,
            };
        }
        catch (ArgumentException)
        {
            // Code with errors the graph builder refuses: no claim.
            return null;
        }
    }

    /// <summary>
    /// The one basic block whose operations hold the innermost syntax around the position; null when that
    /// syntax appears in several blocks (a lowering that copies it) or in none.
    /// </summary>
    private static int? BlockOf(ControlFlowGraph graph, int position)
    {
        int bestLength = int.MaxValue;
        var blocks = new HashSet<int>();
        foreach (var block in graph.Blocks)
        {
            var operations = block.BranchValue is null ? block.Operations : block.Operations.Add(block.BranchValue);
            foreach (var operation in operations)
                foreach (var inner in operation.DescendantsAndSelf())
                {
                    if (inner.IsImplicit && inner.Syntax.Span.Length == 0) continue;
                    var span = inner.Syntax.Span;
                    if (!span.Contains(position)) continue;
                    if (span.Length < bestLength) { bestLength = span.Length; blocks.Clear(); }
                    if (span.Length == bestLength) blocks.Add(block.Ordinal);
                }
        }
        return blocks.Count == 1 ? blocks.First() : null;
    }

    private static bool SharesItsStatement(AllocationSite site, SyntaxNode root, IEnumerable<AllocationSite> documentSites)
    {
        var statement = root.FindToken(site.Where.Span.Start).Parent?.AncestorsAndSelf().FirstOrDefault(n => n is StatementSyntax or ArrowExpressionClauseSyntax);
        if (statement is null) return true;
        return documentSites.Any(other => !ReferenceEquals(other, site) && statement.Span.Contains(other.Where.Span.Start));
    }
}
