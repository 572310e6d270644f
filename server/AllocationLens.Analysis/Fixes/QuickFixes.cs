using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis.Fixes;

/// <summary>
/// The quick fixes offered in a range of a document. Computed only on request (a code action, or the
/// Explain panel's buttons), never while hints are computed.
/// </summary>
public static class QuickFixes
{
    private static readonly AllocationFix[] All =
    [
        new MakeLambdaStatic(),
        new PassStateToGetOrAdd(),
        new PresizeCollection(),
        new HoistConstantArray(),
        new CompareEnumsWithoutBoxing(),
        new UseArrayEmpty(),
        new StackallocSmallArray(),
    ];

    /// <summary>The ids of every fix, for documentation and tests.</summary>
    public static IReadOnlyList<string> Ids { get; } = All.Select(f => f.Id).ToArray();

    /// <summary>Fixes whose anchor intersects <paramref name="range"/> (an empty range is a cursor position).</summary>
    public static ImmutableArray<QuickFix> For(Compilation compilation, SyntaxTree tree, TextSpan range, TargetRuntime runtime, CancellationToken cancellationToken = default)
    {
        var model = compilation.GetSemanticModel(tree);
        var context = new FixContext(model, runtime, cancellationToken);
        var root = tree.GetRoot(cancellationToken);
        var result = ImmutableArray.CreateBuilder<QuickFix>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // DescendantNodes(span) skips everything for an empty span (a cursor): descend by intersection instead.
        foreach (var node in root.DescendantNodes(n => n.FullSpan.IntersectsWith(range)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!node.Span.IntersectsWith(range)) continue;
            foreach (var fix in All)
            {
                if (!fix.Targets(node) || fix.Offer(node, context) is not { } offered) continue;
                var key = offered.Id + "|" + string.Join(";", offered.Changes.Select(c => $"{c.Span}:{c.NewText}"));
                if (seen.Add(key)) result.Add(offered);
            }
        }
        return result.ToImmutable();
    }
}
