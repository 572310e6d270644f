using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis;

/// <summary>
/// Per-member results of one open document, reused across edits (invariant 5 in docs/architecture.md:
/// a member's verdicts depend only on its body, declarations, and the source bodies it read). An entry
/// survives an edit when all of these hold, and is dropped otherwise:
/// <list type="bullet">
/// <item>the compilation context is the same: target, options, references, every other syntax tree;</item>
/// <item>every change stayed inside one method or accessor body (so no declaration changed);</item>
/// <item>no change touches the member or a source body its verdicts were derived from;</item>
/// <item>the member and those bodies start at the same line and column as before, so every line
/// number in its messages is still right; only character offsets move.</item>
/// </list>
/// Thread-safe. Requests for an older document version than the cache has seen bypass it.
/// </summary>
public sealed class MemberResultCache
{
    private readonly object _gate = new();
    private SyntaxTree? _tree;
    private int _version = int.MinValue;
    private TargetRuntime? _runtime;
    private CompilationOptions? _options;
    private ImmutableArray<MetadataReference> _references;
    private SyntaxTree[] _otherTrees = [];
    private Dictionary<int, Entry> _entries = new();

    /// <summary>Members answered from the cache and members analysed, since creation (for tests and benchmarks).</summary>
    public int Hits { get; private set; }
    public int Misses { get; private set; }

    private sealed record Entry(int BaseStart, int Length, int RawKind, LinePosition StartPosition, ImmutableArray<AllocationSite> Sites,
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
            if (ReferenceEquals(tree, _tree)) return true;
            var otherTrees = compilation.SyntaxTrees.Where(t => !ReferenceEquals(t, tree)).ToArray();
            bool sameContext = _tree is not null && runtime == _runtime && ReferenceEquals(compilation.Options, _options)
                && compilation.ExternalReferences.AsSpan().SequenceEqual(_references.AsSpan(), ReferenceEqualityComparer.Instance)
                && otherTrees.AsSpan().SequenceEqual(_otherTrees, ReferenceEqualityComparer.Instance)
                && tree.Options.Equals(_tree.Options);
            var next = new Dictionary<int, Entry>();
            if (sameContext)
            {
                var newText = tree.GetText();
                var edit = DocumentEdit.Between(_tree!.GetText(), newText);
                if (edit.StaysInsideBodies(_tree.GetRoot(), tree.GetRoot()))
                    foreach (var entry in _entries.Values)
                        if (Carry(entry, edit, newText) is { } carried) next[carried.BaseStart + carried.Delta] = carried;
            }
            _tree = tree;
            _version = version;
            _runtime = runtime;
            _options = compilation.Options;
            _references = compilation.ExternalReferences;
            _otherTrees = otherTrees;
            _entries = next;
            return true;
        }
    }

    /// <summary>The entry moved to the new version, or null when the edit invalidated it.</summary>
    private static Entry? Carry(Entry entry, DocumentEdit edit, SourceText newText)
    {
        int start = entry.BaseStart + entry.Delta;
        if (edit.Touches(new TextSpan(start, entry.Length))) return null;
        int newStart = edit.Map(start);
        if (newText.Lines.GetLinePosition(newStart) != entry.StartPosition) return null;
        int delta = newStart - entry.BaseStart;
        foreach (var (span, position) in entry.Anchors)
        {
            var current = new TextSpan(span.Start + entry.Delta, span.Length);
            if (edit.Touches(current)) return null;
            int mapped = edit.Map(current.Start);
            if (mapped - span.Start != delta || newText.Lines.GetLinePosition(mapped) != position) return null;
        }
        return entry with { Delta = delta };
    }

    internal bool TryGet(SyntaxTree tree, SyntaxNode member, out ImmutableArray<AllocationSite> sites)
    {
        Entry? entry;
        lock (_gate)
        {
            if (!ReferenceEquals(tree, _tree) || !_entries.TryGetValue(member.SpanStart, out entry)
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

    internal void Store(SyntaxTree tree, SyntaxNode member, ReadOnlySpan<AllocationSite> sites, SourceDependencies dependencies)
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
        var entry = new Entry(span.Start, span.Length, member.RawKind, lines.GetLinePosition(span.Start), sites.ToImmutableArray(), anchors.ToImmutable(), 0);
        lock (_gate)
        {
            if (ReferenceEquals(tree, _tree)) _entries[span.Start] = entry;
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
