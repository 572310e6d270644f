using System.Text.RegularExpressions;

namespace AllocationLens.Analysis;

/// <summary>
/// Renumbers the "line N" references in a cached member's texts when an edit above it (Enter, a
/// deleted line) moved it by some lines. Each reference is either a line of the member itself, which
/// moved, or the line of a same-file place the member points at, which moved with it or stayed above
/// the edit. Refuses (null, so the member is analysed again) whenever a reference cannot be proven to
/// be one of those: a number that is no such line, an ambiguous one, or any step in another file,
/// whose own "line N" must not move.
/// </summary>
internal sealed partial class LineReferences
{
    private readonly MemberResultCache.Entry _entry;
    private readonly int _lineDelta;
    private readonly Func<int, bool?> _anchorMoves;

    private LineReferences(MemberResultCache.Entry entry, int lineDelta, Func<int, bool?> anchorMoves) =>
        (_entry, _lineDelta, _anchorMoves) = (entry, lineDelta, anchorMoves);

    [GeneratedRegex(@"\bline (\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex LineReference();

    /// <param name="anchorMoves">For an old 0-based line: whether the places the member points at on it moved (true), stayed (false), or none is there (null).</param>
    public static LineReferences? For(MemberResultCache.Entry entry, string path, int lineDelta, Func<int, bool?> anchorMoves)
    {
        var references = new LineReferences(entry, lineDelta, anchorMoves);
        foreach (var site in entry.Sites)
        {
            if (site.Where.Path != path) return null;
            foreach (var step in site.Why) if (step.Where.Path != path) return null;
        }
        foreach (var site in entry.Sites)
        {
            if (!references.AllKnown(site.Message)) return null;
            foreach (var step in site.Why) if (!references.AllKnown(step.Text)) return null;
            foreach (var remedy in site.Remedies) if (!references.AllKnown(remedy)) return null;
        }
        return references;
    }

    public string Apply(string text)
    {
        if (!text.Contains("line ", StringComparison.Ordinal)) return text;
        return LineReference().Replace(text, m =>
        {
            int number = int.Parse(m.Groups[1].ValueSpan);
            return Moves(number - 1) == true ? "line " + (number + _lineDelta).ToString(System.Globalization.CultureInfo.InvariantCulture) : m.Value;
        });
    }

    private bool AllKnown(string text)
    {
        if (!text.Contains("line ", StringComparison.Ordinal)) return true;
        foreach (Match match in LineReference().Matches(text))
            if (!int.TryParse(match.Groups[1].ValueSpan, out var number) || Moves(number - 1) is null) return false;
        return true;
    }

    /// <summary>Whether an old 0-based line moved (a line of the member, or of anchors that moved with it), stayed, or is unknown/ambiguous (null).</summary>
    private bool? Moves(int line)
    {
        bool inMember = line >= _entry.StartPosition.Line && line <= _entry.EndLine;
        var anchor = _anchorMoves(line);
        if (inMember) return anchor is false ? null : true;
        return anchor;
    }
}
