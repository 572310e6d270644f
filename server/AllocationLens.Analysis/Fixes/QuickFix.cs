using System.Collections.Immutable;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis.Fixes;

/// <summary>
/// One quick fix: a title, the expression it is about (its anchor, where the lightbulb belongs) and the
/// text changes that make it, on the document the request was for. Plain data, like AllocationSite: the
/// server turns the changes into an LSP WorkspaceEdit.
/// </summary>
/// <param name="Id">Stable name of the fix ("make-lambda-static").</param>
/// <param name="Title">What the editor shows.</param>
/// <param name="Anchor">The expression the fix is offered on.</param>
/// <param name="Changes">Non-overlapping changes against the document's current text.</param>
public sealed record QuickFix(string Id, string Title, TextSpan Anchor, ImmutableArray<TextChange> Changes)
{
    /// <summary>Applies the changes to a text (tests, and the client's preview).</summary>
    public SourceText ApplyTo(SourceText text) => text.WithChanges(Changes);
}
