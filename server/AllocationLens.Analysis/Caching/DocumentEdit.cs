using System.Buffers;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis;

/// <summary>
/// What changed between two versions of one document: change ranges in the old text's coordinates,
/// with a position map for everything outside them, and whether every change stayed inside one
/// member body (then no declaration changed, and results of untouched members stay valid).
/// </summary>
internal sealed class DocumentEdit
{
    private readonly ImmutableArray<TextChangeRange> _changes;

    private DocumentEdit(ImmutableArray<TextChangeRange> changes) => _changes = changes;

    public bool IsEmpty => _changes.IsEmpty;

    public static DocumentEdit Between(SourceText oldText, SourceText newText)
    {
        var ranges = newText.GetChangeRanges(oldText);
        bool wholeText = ranges.Count == 1 && ranges[0].Span.Start == 0 && ranges[0].Span.Length == oldText.Length && ranges[0].NewLength == newText.Length;
        // Roslyn links versions through weak references; when the chain is gone it reports the whole
        // text as changed. One prefix/suffix comparison recovers the edit a keystroke really made.
        if (!wholeText || oldText.Length == 0) return new DocumentEdit([.. ranges.OrderBy(static r => r.Span.Start)]);
        return new DocumentEdit(Diff(oldText, newText) is { } change ? [change] : []);
    }

    /// <summary>True when a change overlaps or touches the span (old coordinates).</summary>
    public bool Touches(TextSpan span)
    {
        foreach (var change in _changes)
            if (change.Span.Start <= span.End && change.Span.End >= span.Start) return true;
        return false;
    }

    /// <summary>Where an old position is now; only meaningful for positions no change touches.</summary>
    public int Map(int oldPosition)
    {
        int position = oldPosition;
        foreach (var change in _changes)
        {
            if (change.Span.End > oldPosition) break;
            position += change.NewLength - change.Span.Length;
        }
        return position;
    }

    /// <summary>
    /// True when each change lies strictly inside one method or accessor body in the old tree, and that
    /// body's braces (or arrow and semicolon) are at the mapped places in the new tree: the declarations
    /// of the document, and every other body, are then textually and structurally unchanged.
    /// </summary>
    public bool StaysInsideBodies(SyntaxNode oldRoot, SyntaxNode newRoot)
    {
        int deltaBefore = 0; // changes are sorted: the new text of this one starts after the earlier ones' shifts
        foreach (var change in _changes)
        {
            var oldBody = BodyAround(oldRoot, change.Span);
            if (oldBody is null) return false;
            int newStart = change.Span.Start + deltaBefore;
            deltaBefore += change.NewLength - change.Span.Length;
            var newBody = BodyAround(newRoot, new TextSpan(newStart, change.NewLength));
            if (newBody is null || newBody.RawKind != oldBody.RawKind || newBody.Parent!.RawKind != oldBody.Parent!.RawKind) return false;
            if (newBody.Span.Start != Map(oldBody.Span.Start) || newBody.Span.End != Map(oldBody.Span.End)) return false;
        }
        return true;
    }

    /// <summary>The member body whose interior holds the span, or null (the span touches a declaration).</summary>
    private static SyntaxNode? BodyAround(SyntaxNode root, TextSpan span)
    {
        if (span.End > root.FullSpan.End) return null;
        for (var node = root.FindToken(span.Start).Parent; node is not null; node = node.Parent)
        {
            switch (node)
            {
                case BlockSyntax { Parent: BaseMethodDeclarationSyntax or AccessorDeclarationSyntax } block:
                    return !block.CloseBraceToken.IsMissing && span.Start >= block.OpenBraceToken.Span.End && span.End <= block.CloseBraceToken.SpanStart ? block : null;
                case ArrowExpressionClauseSyntax { Parent: BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or PropertyDeclarationSyntax or IndexerDeclarationSyntax } arrow:
                    return !SemicolonOf(arrow.Parent!).IsMissing && span.Start >= arrow.ArrowToken.Span.End && span.End <= arrow.Span.End ? arrow : null;
                case MemberDeclarationSyntax:
                    return null; // reached the declaration without passing through a body
            }
        }
        return null;
    }

    private static SyntaxToken SemicolonOf(SyntaxNode member) => member switch
    {
        BaseMethodDeclarationSyntax m => m.SemicolonToken,
        AccessorDeclarationSyntax a => a.SemicolonToken,
        PropertyDeclarationSyntax p => p.SemicolonToken,
        IndexerDeclarationSyntax i => i.SemicolonToken,
        _ => default,
    };

    /// <summary>The single change range between two texts: common prefix and suffix, compared in chunks.</summary>
    private static TextChangeRange? Diff(SourceText oldText, SourceText newText)
    {
        const int Chunk = 4096;
        var a = ArrayPool<char>.Shared.Rent(Chunk);
        var b = ArrayPool<char>.Shared.Rent(Chunk);
        try
        {
            int max = Math.Min(oldText.Length, newText.Length);
            int prefix = 0;
            while (prefix < max)
            {
                int n = Math.Min(Chunk, max - prefix);
                oldText.CopyTo(prefix, a, 0, n);
                newText.CopyTo(prefix, b, 0, n);
                int common = a.AsSpan(0, n).CommonPrefixLength(b.AsSpan(0, n));
                prefix += common;
                if (common < n) break;
            }
            if (prefix == oldText.Length && prefix == newText.Length) return null; // the same text
            int suffix = 0;
            int maxSuffix = max - prefix;
            while (suffix < maxSuffix)
            {
                int n = Math.Min(Chunk, maxSuffix - suffix);
                oldText.CopyTo(oldText.Length - suffix - n, a, 0, n);
                newText.CopyTo(newText.Length - suffix - n, b, 0, n);
                int common = 0;
                while (common < n && a[n - 1 - common] == b[n - 1 - common]) common++;
                suffix += common;
                if (common < n) break;
            }
            return new TextChangeRange(new TextSpan(prefix, oldText.Length - prefix - suffix), newText.Length - prefix - suffix);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(a);
            ArrayPool<char>.Shared.Return(b);
        }
    }
}
