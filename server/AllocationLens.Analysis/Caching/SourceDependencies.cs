using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis;

/// <summary>
/// The source bodies one member's verdicts were derived from, besides its own: the callees the
/// inliner model read (transitively, through cached callee summaries too). A cached member result is
/// reusable only while none of these bodies changed (<see cref="MemberResultCache"/>).
/// </summary>
internal sealed class SourceDependencies
{
    private readonly HashSet<(SyntaxTree Tree, TextSpan Span)> _bodies = new();

    public IReadOnlyCollection<(SyntaxTree Tree, TextSpan Span)> Bodies => _bodies;

    public void Add(SyntaxNode body) => _bodies.Add((body.SyntaxTree, body.Span));

    public void AddAll(SourceDependencies other)
    {
        if (ReferenceEquals(other, this)) return;
        foreach (var body in other._bodies) _bodies.Add(body);
    }
}
