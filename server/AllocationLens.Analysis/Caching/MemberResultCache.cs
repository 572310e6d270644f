using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis;

/// <summary>
/// Per-member results of one open document, reused across edits (invariant 7 in docs/architecture.md:
/// a member's verdicts depend only on its body, declarations, and the source bodies it read). An entry
/// survives an edit when all of these hold, and is dropped otherwise:
/// <list type="bullet">
/// <item>the compilation context is the same: target, options, references, every other syntax tree;</item>
/// <item>every change stayed inside one method or accessor body (so no declaration changed);</item>
/// <item>no change touches the member or a source body its verdicts were derived from;</item>
/// <item>the member and every same-file place its results point at keep their columns and move by one
/// common number of lines; the line numbers in its messages are then renumbered by that much
/// (<see cref="LineReferences"/>, which refuses anything it cannot prove).</item>
/// </list>
/// Thread-safe. Requests for an older document version than the cache has seen bypass it.
/// </summary>
public sealed class MemberResultCache
{
    private readonly object _gate = new();
    private SyntaxTree? _tree;
    private Compilation? _compilation;
    private int _version = int.MinValue;
    private TargetRuntime? _runtime;
    private CompilationOptions? _options;
    private ImmutableArray<MetadataReference> _references;
    private SyntaxTree[] _otherTrees = [];
    private Dictionary<int, Entry> _entries = new();

    /// <summary>Members answered from the cache and members analysed, since creation (for tests and benchmarks).</summary>
    public int Hits { get; private set; }
    public int Misses { get; private set; }

    internal sealed record Entry(int BaseStart, int Length, int RawKind, LinePosition StartPosition, int EndLine, ImmutableArray<AllocationSite> Sites,
                                ImmutableArray<(TextSpan Span, LinePosition Start)> Anchors, int Delta);

    /// <summary>
    /// Moves the cache to this version of the document, keeping what the edit left valid. False when the
    /// caller must not use the cache (an older version than one already seen).
    /// </summary>
    internal bool Advance(Compilation compilation, SyntaxTree tree, TargetRuntime runtime, int version)
    {
        lock (_gate)
        {
            if (version < _version) return false;
            // The same tree in another compilation (another open document changed) is not the same context.
            if (ReferenceEquals(tree, _tree) && ReferenceEquals(compilation, _compilation)) return true;
            var otherTrees = compilation.SyntaxTrees.Where(t => !ReferenceEquals(t, tree)).ToArray();
            bool sameContext = _tree is not null && runtime == _runtime && ReferenceEquals(compilation.Options, _options)
                && compilation.ExternalReferences.AsSpan().SequenceEqual(_references.AsSpan(), ReferenceEqualityComparer.Instance)
                && otherTrees.AsSpan().SequenceEqual(_otherTrees, ReferenceEqualityComparer.Instance)
                && tree.Options.Equals(_tree.Options);
            var next = new Dictionary<int, Entry>();
            if (sameContext && ReferenceEquals(tree, _tree))
                next = _entries;
            else if (sameContext)
            {
                var newText = tree.GetText();
                var edit = DocumentEdit.Between(_tree!.GetText(), newText);
                if (edit.StaysInsideBodies(_tree.GetRoot(), tree.GetRoot()))
                    foreach (var entry in _entries.Values)
                        if (Carry(entry, edit, newText, tree.FilePath) is { } carried) next[carried.BaseStart + carried.Delta] = carried;
            }
            _tree = tree;
            _compilation = compilation;
            _version = version;
            _runtime = runtime;
            _options = compilation.Options;
            _references = compilation.ExternalReferences;
            _otherTrees = otherTrees;
            _entries = next;
            return true;
        }
    }

    /// <summary>
    /// The entry moved to the new version, or null when the edit invalidated it. The member and every
    /// same-file place its results point at must be untouched and keep their columns; the member may
    /// move by some lines (Enter above it), and each place it points at either moves with it or stays
    /// (it lies above the edit). Messages embed line numbers, which <see cref="LineReferences"/> then
    /// renumbers. When everything moved by the member's own character offset and no line moved, the move
    /// stays lazy (<see cref="Entry.Delta"/>, applied in TryGet); otherwise the sites are rebuilt now,
    /// each span mapped through the edit.
    /// </summary>
    private static Entry? Carry(Entry entry, DocumentEdit edit, SourceText newText, string path)
    {
        int start = entry.BaseStart + entry.Delta;
        if (edit.Touches(new TextSpan(start, entry.Length))) return null;
        int newStart = edit.Map(start);
        var newPosition = newText.Lines.GetLinePosition(newStart);
        if (newPosition.Character != entry.StartPosition.Character) return null;
        int lineDelta = newPosition.Line - entry.StartPosition.Line;
        int delta = newStart - entry.BaseStart;
        bool lazy = lineDelta == 0;
        foreach (var (span, position) in entry.Anchors)
        {
            var current = new TextSpan(span.Start + entry.Delta, span.Length);
            if (edit.Touches(current)) return null;
            int mapped = edit.Map(current.Start);
            var mappedPosition = newText.Lines.GetLinePosition(mapped);
            int anchorLineDelta = mappedPosition.Line - position.Line;
            if (mappedPosition.Character != position.Character || anchorLineDelta != 0 && anchorLineDelta != lineDelta) return null;
            if (mapped - span.Start != delta) lazy = false;
        }
        if (lazy) return entry with { Delta = delta };
        return Rebase(entry, edit, newText, path, newStart, newPosition, lineDelta);
    }

    /// <summary>The entry with its same-file spans mapped through the edit and its line references renumbered.</summary>
    private static Entry? Rebase(Entry entry, DocumentEdit edit, SourceText newText, string path, int newStart, LinePosition newPosition, int lineDelta)
    {
        LineReferences? renumber = null;
        if (lineDelta != 0)
        {
            renumber = LineReferences.For(entry, path, lineDelta, oldLine => AnchorMoves(entry, edit, newText, oldLine));
            if (renumber is null) return null;
        }
        var sites = ImmutableArray.CreateBuilder<AllocationSite>(entry.Sites.Length);
        foreach (var site in entry.Sites)
        {
            var why = ImmutableArray.CreateBuilder<WhyStep>(site.Why.Length);
            foreach (var step in site.Why) why.Add(new WhyStep(Move(step.Where), renumber?.Apply(step.Text) ?? step.Text));
            var remedies = site.Remedies;
            if (renumber is not null)
            {
                var moved = ImmutableArray.CreateBuilder<string>(remedies.Length);
                foreach (var remedy in remedies) moved.Add(renumber.Apply(remedy));
                remedies = moved.MoveToImmutable();
            }
            sites.Add(site with { Where = Move(site.Where), Message = renumber?.Apply(site.Message) ?? site.Message, Why = why.MoveToImmutable(), Remedies = remedies });
        }
        var anchors = ImmutableArray.CreateBuilder<(TextSpan, LinePosition)>(entry.Anchors.Length);
        foreach (var (span, _) in entry.Anchors)
        {
            var mapped = new TextSpan(edit.Map(span.Start + entry.Delta), span.Length);
            anchors.Add((mapped, newText.Lines.GetLinePosition(mapped.Start)));
        }
        return new Entry(newStart, entry.Length, entry.RawKind, newPosition, entry.EndLine + lineDelta, sites.MoveToImmutable(), anchors.MoveToImmutable(), 0);

        SourceSpan Move(SourceSpan where)
        {
            if (where.Path != path) return where;
            var span = new TextSpan(edit.Map(where.Span.Start + entry.Delta), where.Span.Length);
            return new SourceSpan(where.Path, span, newText.Lines.GetLinePositionSpan(span));
        }
    }

    /// <summary>Whether the anchors on an old line moved with the edit (true), stayed (false), or it is no anchor's line (null).</summary>
    private static bool? AnchorMoves(Entry entry, DocumentEdit edit, SourceText newText, int oldLine)
    {
        bool? moves = null;
        foreach (var (span, position) in entry.Anchors)
        {
            if (position.Line != oldLine) continue;
            bool moved = newText.Lines.GetLinePosition(edit.Map(span.Start + entry.Delta)).Line != oldLine;
            if (moves is { } other && other != moved) return null; // both: ambiguous, LineReferences refuses
            moves = moved;
        }
        return moves;
    }

    internal bool TryGet(Compilation compilation, SyntaxTree tree, SyntaxNode member, out ImmutableArray<AllocationSite> sites)
    {
        Entry? entry;
        lock (_gate)
        {
            if (!ReferenceEquals(tree, _tree) || !ReferenceEquals(compilation, _compilation) || !_entries.TryGetValue(member.SpanStart, out entry)
                || entry.Length != member.Span.Length || entry.RawKind != member.RawKind)
            {
                Misses++;
                sites = default;
                return false;
            }
            Hits++;
        }
        sites = entry.Delta == 0 ? entry.Sites : Shift(entry.Sites, tree.FilePath, entry.Delta);
        return true;
    }

    internal void Store(Compilation compilation, SyntaxTree tree, SyntaxNode member, ReadOnlySpan<AllocationSite> sites, SourceDependencies dependencies)
    {
        var span = member.Span;
        var anchors = ImmutableArray.CreateBuilder<(TextSpan, LinePosition)>();
        var lines = tree.GetText().Lines;
        foreach (var (depTree, depSpan) in dependencies.Bodies)
            if (ReferenceEquals(depTree, tree) && !span.Contains(depSpan)) anchors.Add((depSpan, lines.GetLinePosition(depSpan.Start)));
        foreach (var site in sites)
        {
            AddAnchor(site.Where);
            foreach (var step in site.Why) AddAnchor(step.Where);
        }
        var entry = new Entry(span.Start, span.Length, member.RawKind, lines.GetLinePosition(span.Start), lines.GetLinePosition(span.End).Line, sites.ToImmutableArray(), anchors.ToImmutable(), 0);
        lock (_gate)
        {
            // Only into the context it was computed in: a request on another compilation may have advanced the cache meanwhile.
            if (ReferenceEquals(tree, _tree) && ReferenceEquals(compilation, _compilation)) _entries[span.Start] = entry;
        }

        void AddAnchor(SourceSpan where)
        {
            if (where.Path == tree.FilePath && !span.Contains(where.Span)) anchors.Add((where.Span, where.Lines.Start));
        }
    }

    /// <summary>Moves same-file positions by the entry's offset; line positions are unchanged by construction.</summary>
    private static ImmutableArray<AllocationSite> Shift(ImmutableArray<AllocationSite> sites, string path, int delta)
    {
        var builder = ImmutableArray.CreateBuilder<AllocationSite>(sites.Length);
        foreach (var site in sites)
        {
            var why = ImmutableArray.CreateBuilder<WhyStep>(site.Why.Length);
            foreach (var step in site.Why) why.Add(step with { Where = Move(step.Where) });
            builder.Add(site with { Where = Move(site.Where), Why = why.MoveToImmutable() });
        }
        return builder.MoveToImmutable();

        SourceSpan Move(SourceSpan where) =>
            where.Path == path ? where with { Span = new TextSpan(where.Span.Start + delta, where.Span.Length) } : where;
    }
}
