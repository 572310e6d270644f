using System.Buffers;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>
/// A member's identity across edits, restarts and checkouts: the hash of its text (line endings left
/// out). Measurements are pinned to it, so a member whose text changed in any way (an edit in the
/// editor, a save, a branch switch) no longer matches what was measured, and every other member does,
/// wherever it moved in its file.
/// </summary>
internal readonly record struct MemberFingerprint(ulong Hash, int Start)
{
    /// <summary>Where a position sits relative to the member's first character.</summary>
    public int OffsetOf(int position) => position - Start;
}

internal static class MemberFingerprints
{
    /// <summary>Hashes of one text's members by their start, so hints, lenses and the view hash a member once per version.</summary>
    private static readonly ConditionalWeakTable<SourceText, Dictionary<int, ulong>> s_cache = new();

    /// <summary>
    /// The member that holds a position, fingerprinted: the outermost method, constructor, operator,
    /// accessor's property, field or event (lambdas and local functions belong to it), or the top-level
    /// statement. Null outside any member.
    /// </summary>
    public static MemberFingerprint? At(SyntaxNode root, SourceText text, int position)
    {
        if (MemberAt(root, position) is not { } member) return null;
        var span = member.Span;
        Dictionary<int, ulong> known;
        lock (s_cache) known = s_cache.GetValue(text, _ => []);
        ulong hash;
        lock (known)
            if (known.TryGetValue(span.Start, out hash)) return new MemberFingerprint(hash, span.Start);
        hash = Hash(text, span);
        lock (known) known[span.Start] = hash;
        return new MemberFingerprint(hash, span.Start);
    }

    public static SyntaxNode? MemberAt(SyntaxNode root, int position)
    {
        if (root.FullSpan.Length == 0) return null;
        SyntaxNode? found = null;
        for (var node = root.FindToken(Math.Clamp(position, 0, root.FullSpan.End - 1)).Parent; node is not null; node = node.Parent)
            if (IsMember(node)) found = node;
        return found is not null && found.Span.Contains(position) ? found : null;
    }

    /// <summary>The outermost members of a tree (the ones <see cref="At"/> fingerprints), in source order.</summary>
    public static IEnumerable<SyntaxNode> Members(SyntaxNode root) => root.DescendantNodes(n => !IsMember(n)).Where(IsMember);

    private static bool IsMember(SyntaxNode node) =>
        node is BaseMethodDeclarationSyntax or BasePropertyDeclarationSyntax or BaseFieldDeclarationSyntax or GlobalStatementSyntax;

    /// <summary>FNV-1a over the member's characters, carriage returns left out (a checkout may change line endings, not code).</summary>
    private static ulong Hash(SourceText text, TextSpan span)
    {
        ulong hash = 14695981039346656037UL;
        var buffer = ArrayPool<char>.Shared.Rent(Math.Min(span.Length, 4096));
        try
        {
            for (int at = span.Start; at < span.End;)
            {
                int count = Math.Min(buffer.Length, span.End - at);
                text.CopyTo(at, buffer, 0, count);
                for (int i = 0; i < count; i++)
                {
                    char c = buffer[i];
                    if (c == '\r') continue;
                    hash = (hash ^ c) * 1099511628211UL;
                }
                at += count;
            }
        }
        finally { ArrayPool<char>.Shared.Return(buffer); }
        return hash;
    }
}
