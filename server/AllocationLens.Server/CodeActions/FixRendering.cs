using AllocationLens.Analysis.Fixes;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server.CodeActions;

/// <summary>Engine quick fixes as LSP shapes: a CodeAction of kind quickfix whose WorkspaceEdit has `changes` keyed by uri.</summary>
public static class FixRendering
{
    public const string QuickFixKind = "quickfix";

    public static object Edit(QuickFix fix, string uri, SourceText text) => new
    {
        changes = new Dictionary<string, object[]>(StringComparer.Ordinal)
        {
            [uri] = fix.Changes.Select(c => (object)new { range = RangeOf(text, c.Span), newText = c.NewText ?? "" }).ToArray(),
        },
    };

    public static object CodeAction(QuickFix fix, string uri, SourceText text) => new
    {
        title = fix.Title,
        kind = QuickFixKind,
        edit = Edit(fix, uri, text),
        data = new { fix = fix.Id },
    };

    /// <summary>The Explain panel's buttons: a title and the edit the client applies.</summary>
    public static object Button(QuickFix fix, string uri, SourceText text) => new { id = fix.Id, title = fix.Title, edit = Edit(fix, uri, text) };

    private static Range RangeOf(SourceText text, TextSpan span)
    {
        var lines = text.Lines.GetLinePositionSpan(span);
        return new Range(new Position(lines.Start.Line, lines.Start.Character), new Position(lines.End.Line, lines.End.Character));
    }
}
