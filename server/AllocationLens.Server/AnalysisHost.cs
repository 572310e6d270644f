using System.Collections.Immutable;
using AllocationLens.Analysis;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>Everything a request needs about one document at one version.</summary>
public sealed record DocumentSnapshot(OpenDocument Document, Compilation Compilation, SyntaxTree Tree, TargetRuntime Runtime, string Source)
{
    /// <summary>The versions of the other open documents this snapshot's compilation includes (see <see cref="AnalysisHost.OpenDocuments"/>).</summary>
    public long OthersStamp { get; init; }
}

/// <summary>
/// Owns the loaded workspace and turns open documents into compilations to analyse. Until MSBuild
/// finishes (or when it cannot run: untrusted folder, no SDK, broken project) documents are analysed
/// ad hoc against the framework, and the snapshot says so. Snapshots are immutable; the workspace is
/// swapped atomically when a load completes.
/// </summary>
public sealed class AnalysisHost(ServerLog log)
{
    private volatile LoadedWorkspace? _workspace;
    private readonly Dictionary<string, DocumentSnapshot> _lastSnapshot = new(StringComparer.Ordinal);
    /// <summary>Per open document: member results reused across edits (the engine checks what an edit invalidates).</summary>
    private readonly Dictionary<string, MemberResultCache> _memberCaches = new(StringComparer.Ordinal);

    public LoadedWorkspace? Workspace => _workspace;

    /// <summary>
    /// The open documents (the server's store). A snapshot of a project document compiles the unsaved text of
    /// every other open document of the solution that differs from disk, so a call summary (or an inlining
    /// verdict) that reads a callee edited in another open file is never judged on the file's saved text; the
    /// snapshot is rebuilt when one of those documents changes.
    /// </summary>
    public Func<IReadOnlyCollection<OpenDocument>>? OpenDocuments { get; set; }

    /// <summary>Per open document: whether its text differs from the workspace's (disk) text, for the text last seen.</summary>
    private readonly Dictionary<string, (SourceText Text, bool Dirty)> _dirty = new(StringComparer.Ordinal);
    public string? LoadProblem { get; set; }

    public void UseWorkspace(LoadedWorkspace workspace)
    {
        _workspace = workspace;
        lock (_lastSnapshot)
        {
            _lastSnapshot.Clear();
            _memberCaches.Clear();
        }
    }

    public async Task<DocumentSnapshot> SnapshotAsync(OpenDocument document, CancellationToken cancellationToken)
    {
        long stamp = OthersStamp(document);
        lock (_lastSnapshot)
        {
            if (_lastSnapshot.TryGetValue(document.Uri, out var cached) && cached.Document.Version == document.Version && ReferenceEquals(cached.Document.Text, document.Text)
                && cached.OthersStamp == stamp)
                return cached;
        }
        DocumentSnapshot? previous;
        lock (_lastSnapshot) _lastSnapshot.TryGetValue(document.Uri, out previous);
        var snapshot = await CreateSnapshotAsync(document, previous, cancellationToken).ConfigureAwait(false) with { OthersStamp = stamp };
        lock (_lastSnapshot) _lastSnapshot[document.Uri] = snapshot;
        return snapshot;
    }

    public void Forget(string uri)
    {
        lock (_lastSnapshot)
        {
            _lastSnapshot.Remove(uri);
            _memberCaches.Remove(uri);
        }
        lock (_dirty) _dirty.Remove(uri);
    }

    /// <summary>A stamp of the other open documents' versions (loaded workspace only: ad-hoc files are compiled alone).</summary>
    private long OthersStamp(OpenDocument document)
    {
        if (_workspace is null || OpenDocuments?.Invoke() is not { } open) return 0;
        long stamp = 17;
        foreach (var other in open)
            if (other.Uri != document.Uri) stamp += HashCode.Combine(StringComparer.Ordinal.GetHashCode(other.Uri), other.Version, System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(other.Text));
        return stamp;
    }

    /// <summary>The solution with the unsaved text of every other open document that differs from the workspace's.</summary>
    private async Task<Solution> WithOtherOpenDocumentsAsync(LoadedWorkspace workspace, Solution solution, OpenDocument document, CancellationToken cancellationToken)
    {
        if (OpenDocuments?.Invoke() is not { } open) return solution;
        foreach (var other in open)
        {
            if (other.Uri == document.Uri) continue;
            var ids = workspace.Solution.GetDocumentIdsWithFilePath(other.Path);
            if (ids.IsEmpty) continue;
            bool dirty;
            (SourceText Text, bool Dirty) seen;
            lock (_dirty) _dirty.TryGetValue(other.Uri, out seen);
            if (ReferenceEquals(seen.Text, other.Text)) dirty = seen.Dirty;
            else
            {
                var saved = workspace.Solution.GetDocument(ids[0]) is { } d ? await d.GetTextAsync(cancellationToken).ConfigureAwait(false) : null;
                dirty = saved is null || !saved.ContentEquals(other.Text);
                lock (_dirty) _dirty[other.Uri] = (other.Text, dirty);
            }
            if (!dirty) continue;
            foreach (var id in ids) solution = solution.WithDocumentText(id, other.Text, PreservationMode.PreserveIdentity);
        }
        return solution;
    }

    /// <summary>The member cache of one open document (tests and benchmarks read its hit counts).</summary>
    public MemberResultCache MemberCacheOf(string uri)
    {
        lock (_lastSnapshot)
        {
            if (!_memberCaches.TryGetValue(uri, out var cache)) _memberCaches[uri] = cache = new MemberResultCache();
            return cache;
        }
    }

    private async Task<DocumentSnapshot> CreateSnapshotAsync(OpenDocument document, DocumentSnapshot? previous, CancellationToken cancellationToken)
    {
        var workspace = _workspace;
        if (workspace is not null)
        {
            var ids = workspace.Solution.GetDocumentIdsWithFilePath(document.Path);
            if (!ids.IsEmpty)
            {
                var id = ids[0];
                var solution = workspace.Solution.WithDocumentText(id, document.Text, PreservationMode.PreserveIdentity);
                solution = await WithOtherOpenDocumentsAsync(workspace, solution, document, cancellationToken).ConfigureAwait(false);
                var project = solution.GetProject(id.ProjectId)!;
                var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
                var tree = await solution.GetDocument(id)!.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
                if (compilation is not null && tree is not null)
                {
                    var tfm = workspace.TargetOf(project.Id);
                    return new DocumentSnapshot(document, compilation, tree, TargetRuntime.Parse(tfm), $"project {project.Name}");
                }
            }
        }
        // A file of a project that could not be loaded is judged for that project's own target.
        var failure = workspace?.FailureFor(document.Path);
        string why = workspace is null ? LoadProblem ?? "the workspace is still loading" : failure?.Message ?? "the file is not part of any loaded project";
        var source = $"ad-hoc ({why})";
        var runtime = failure?.TargetFramework is { } failedTarget ? TargetRuntime.Parse(failedTarget) : TargetRuntime.Net10;
        // Incremental, as an editor host keeps it: reparse only what the edit touched and swap the tree
        // in the previous compilation, which keeps its references and everything already bound.
        if (previous is { Source: var previousSource } && previousSource.StartsWith("ad-hoc", StringComparison.Ordinal) && previous.Compilation.SyntaxTrees.Count() == 1)
        {
            var changedTree = previous.Tree.WithChangedText(document.Text);
            var changed = previous.Compilation.ReplaceSyntaxTree(previous.Tree, changedTree);
            return new DocumentSnapshot(document, changed, changedTree, runtime, source);
        }
        var adHocTree = AdHocCompilation.Parse(document.Text, document.Path, cancellationToken);
        return new DocumentSnapshot(document, AdHocCompilation.Create([adHocTree]), adHocTree, runtime, source);
    }

    public ImmutableArray<AllocationSite> Analyze(DocumentSnapshot snapshot, TextSpan? range, CancellationToken cancellationToken)
    {
        var analyzer = new AllocationAnalyzer(snapshot.Runtime)
        {
            OnInternalError = (node, ex) => log.Error($"engine failure in {node.GetLocation().GetLineSpan()}: {ex.GetType().Name}: {ex.Message}"),
        };
        return analyzer.Analyze(snapshot.Compilation, snapshot.Tree, range, MemberCacheOf(snapshot.Document.Uri), snapshot.Document.Version, cancellationToken);
    }

    /// <summary>What the same member would get on other targets ("heap on net8.0, stack on net10.0").</summary>
    public IReadOnlyList<(string Target, AllocationKind? Kind)> OtherTargets(DocumentSnapshot snapshot, AllocationSite site, CancellationToken cancellationToken)
    {
        var result = new List<(string, AllocationKind?)>();
        foreach (var tfm in new[] { "net8.0", "net9.0", "net10.0" })
        {
            if (tfm == snapshot.Runtime.Moniker) continue;
            var analyzer = new AllocationAnalyzer(TargetRuntime.Parse(tfm));
            var sites = analyzer.Analyze(snapshot.Compilation, snapshot.Tree, site.Where.Span, cancellationToken);
            result.Add((tfm, sites.FirstOrDefault(s => s.Where.Span == site.Where.Span)?.Kind));
        }
        return result;
    }
}
