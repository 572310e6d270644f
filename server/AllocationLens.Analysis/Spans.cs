using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis;

/// <summary>Turns syntax into <see cref="SourceSpan"/>s, the only place positions are computed.</summary>
internal static class Spans
{
    public static SourceSpan Of(SyntaxNode node) => Of(node.SyntaxTree, node.Span);
    public static SourceSpan Of(SyntaxToken token) => Of(token.SyntaxTree!, token.Span);

    public static SourceSpan Of(SyntaxTree tree, TextSpan span)
    {
        var lines = tree.GetLineSpan(span);
        return new SourceSpan(tree.FilePath ?? "", span, lines.Span);
    }

    /// <summary>A short one-line rendering of an expression for messages: "new Point(1, 2)".</summary>
    public static string Subject(SyntaxNode node, int max = 48)
    {
        var text = node.ToString();
        int newline = text.IndexOfAny(['\r', '\n']);
        if (newline >= 0) text = text[..newline].TrimEnd() + " …";
        return text.Length <= max ? text : text[..(max - 1)] + "…";
    }
}
