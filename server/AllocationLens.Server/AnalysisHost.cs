using System.Collections.Immutable;
using AllocationLens.Analysis;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>Everything a request needs about one document at one version.</summary>
/// <param name="Solution">The loaded solution (with the open documents' texts) it was taken from; null when judged ad hoc.</param>
public sealed record DocumentSnapshot(OpenDocument Document, Compilation Compilation, SyntaxTree Tree, TargetRuntime Runtime, string Source, Solution? Solution = null)
{
    /// <summary>The other runtimes that run this file (another app loads its library, another target of its project), each with its reason.</summary>
    public ImmutableArray<TargetRuntime> OtherRuntimes { get; init; } = [];
}

/// <summary>
/// Owns the loaded workspace and turns open documents into compilations to analyse. Until MSBuild
/// finishes (or when it cannot run: untrusted folder, no SDK, broken project) documents are analysed
/// ad hoc against the framework, and the snapshot says so. Snapshots are immutable; the workspace is
/// swapped atomically when a load completes.
/// </summary>
public sealed class AnalysisHost(ServerLog log)
{
    /// <summary>ALLOCATION_LENS_TIMINGS=1: each project snapshot's compilation time on the log (bench/README's cold-start profile).</summary>
    internal static readonly bool Timings = Environment.GetEnvironmentVariable("ALLOCATION_LENS_TIMINGS") is { Length: > 0 };

    private volatile LoadedWorkspace? _workspace;
    /// <summary>
    /// The loaded solution with every open document's newest text. Each edit is applied to it, never
    /// to the solution as loaded: Roslyn then reparses only what the edit touched (the texts form one
    /// WithChanges chain) and updates the previous compilation by one tree swap. Forking from the loaded
    /// solution instead reparsed the whole file and rebuilt the compilation from every tree on each
    /// keystroke, which grew with the file and the project (7x the floor at 20k lines).
    /// </summary>
    private Solution? _current;
    /// <summary>Per document: the version whose text <see cref="_current"/> holds (older requests fork instead).</summary>
    private readonly Dictionary<DocumentId, int> _appliedVersions = new();
    private readonly object _solutionGate = new();
    /// <summary>Idle generators left out of <see cref="_current"/>'s projects (guarded by <see cref="_solutionGate"/>).</summary>
    private LeftOutGenerators _leftOut = LeftOutGenerators.None;
    private readonly Dictionary<string, DocumentSnapshot> _lastSnapshot = new(StringComparer.Ordinal);
    /// <summary>Per open document: member results reused across edits (the engine checks what an edit invalidates).</summary>
    private readonly Dictionary<string, MemberResultCache> _memberCaches = new(StringComparer.Ordinal);

    public LoadedWorkspace? Workspace => _workspace;
    public string? LoadProblem { get; set; }

    private RuntimeChoice _runtimeChoice = RuntimeChoice.NewestInstalled();

    /// <summary>
    /// The runtimes the user chose (allocationLens.runtime) for code no app of the workspace runs. A change
    /// re-resolves the loaded workspace's runtimes without loading anything again.
    /// </summary>
    public RuntimeChoice RuntimeChoice
    {
        get => _runtimeChoice;
        set
        {
            lock (_solutionGate)
            {
                _runtimeChoice = value;
                if (_workspace is { } loaded) _workspace = loaded.WithRuntimeChoice(value);
            }
            lock (_lastSnapshot)
            {
                _lastSnapshot.Clear();
                _memberCaches.Clear();
            }
        }
    }

    /// <param name="open">The documents open now: their texts, not the files', judge the loaded solution from the start.</param>
    /// <param name="leftOut">Framework generators the load left out as idle: an edit that types one's attribute brings it back.</param>
    public void UseWorkspace(LoadedWorkspace workspace, Func<IEnumerable<OpenDocument>>? open = null, LeftOutGenerators? leftOut = null)
    {
        lock (_solutionGate)
        {
            _workspace = workspace.WithRuntimeChoice(_runtimeChoice);
            _current = workspace.Solution;
            _leftOut = leftOut ?? LeftOutGenerators.None;
            _appliedVersions.Clear();
            foreach (var document in open?.Invoke() ?? []) ApplyLocked(document);
        }
        lock (_lastSnapshot)
        {
            _lastSnapshot.Clear();
            _memberCaches.Clear();
        }
    }

    public async Task<DocumentSnapshot> SnapshotAsync(OpenDocument document, CancellationToken cancellationToken)
    {
        lock (_lastSnapshot)
        {
            // Still valid unless this text changed, or another open document's did (a project snapshot is
            // judged with every open document's text, so an edit elsewhere can change its verdicts).
            if (_lastSnapshot.TryGetValue(document.Uri, out var cached) && cached.Document.Version == document.Version && ReferenceEquals(cached.Document.Text, document.Text)
                && (cached.Solution is null || ReferenceEquals(cached.Solution, CurrentSolution)))
                return cached;
        }
        DocumentSnapshot? previous;
        lock (_lastSnapshot) _lastSnapshot.TryGetValue(document.Uri, out previous);
        var snapshot = await CreateSnapshotAsync(document, previous, cancellationToken).ConfigureAwait(false);
        lock (_lastSnapshot) _lastSnapshot[document.Uri] = snapshot;
        return snapshot;
    }

    /// <summary>
    /// An open document's new text (didOpen, didChange) becomes part of the current solution at once, so
    /// every other open document is judged with it. Cheap: Roslyn parses and compiles lazily.
    /// </summary>
    public void Apply(OpenDocument document)
    {
        lock (_solutionGate) ApplyLocked(document);
    }

    /// <summary>
    /// Files changed on disk (<paramref name="changes"/>, planned against <paramref name="plannedFor"/>) become
    /// part of the loaded solution and of the current one, where open documents keep the editor's texts
    /// (an open file that just joined a project is given its editor text). False, and nothing changes,
    /// when a load replaced the workspace meanwhile: that load read the disk itself.
    /// </summary>
    public bool ApplyDiskChanges(LoadedWorkspace plannedFor, DiskChanges changes, IEnumerable<OpenDocument> open)
    {
        lock (_solutionGate)
        {
            if (!ReferenceEquals(plannedFor, _workspace) || _current is null) return false;
            var loaded = changes.ApplyTo(plannedFor.Solution, _ => false);
            var current = changes.ApplyTo(_current, id => _appliedVersions.ContainsKey(id));
            // A generator's attribute written on disk brings the generator back, as one typed in the editor does.
            _leftOut = _leftOut.With(changes.LeftOut);
            foreach (var (id, text) in changes.NewTexts)
                if (!_appliedVersions.ContainsKey(id) && current.ContainsDocument(id)) current = _leftOut.Restore(current, id, text, previous: null);
            // A project loaded again left out its idle generators by the disk's texts: the editor's may name one.
            var openDocuments = open.ToList();
            var reloaded = changes.ReloadedProjects;
            foreach (var document in openDocuments)
                foreach (var id in current.GetDocumentIdsWithFilePath(document.Path))
                    if (reloaded.Contains(id.ProjectId)) current = _leftOut.Restore(current, id, document.Text, previous: null);
            _workspace = plannedFor.WithReloaded(loaded, reloaded);
            _current = current;
            foreach (var document in openDocuments) ApplyLocked(document, onlyUnapplied: true);
        }
        // An ad-hoc snapshot stays valid while its text does: a file that joined a project must be judged in it now.
        if (changes.ChangesStructure) lock (_lastSnapshot) _lastSnapshot.Clear();
        return true;
    }

    private void ApplyLocked(OpenDocument document, bool onlyUnapplied = false)
    {
        if (_current is null) return;
        foreach (var id in _current.GetDocumentIdsWithFilePath(document.Path))
        {
            if (_appliedVersions.TryGetValue(id, out var applied) && (onlyUnapplied || applied > document.Version)) continue;
            var previous = _current.GetDocument(id) is { } old && old.TryGetText(out var oldText) ? oldText : null;
            _current = _current.WithDocumentText(id, document.Text, PreservationMode.PreserveIdentity);
            _current = _leftOut.Restore(_current, id, document.Text, previous);
            _appliedVersions[id] = document.Version;
        }
    }

    /// <summary>
    /// The loaded solution with the open documents' unsaved texts, or null before a load. Whole-project
    /// readers use it so they see what the editor shows.
    /// </summary>
    public Solution? CurrentSolution
    {
        get { lock (_solutionGate) return _current; }
    }

    /// <summary>A closed document's text is its file's again (its unsaved edits are gone with it).</summary>
    public void Forget(string uri, string path)
    {
        lock (_solutionGate)
        {
            if (_current is { } solution)
                foreach (var id in solution.GetDocumentIdsWithFilePath(path))
                {
                    if (!_appliedVersions.Remove(id)) continue;
                    _current = _current.WithDocumentTextLoader(id, new FileTextLoader(path, defaultEncoding: null), PreservationMode.PreserveValue);
                }
        }
        Forget(uri);
    }

    public void Forget(string uri)
    {
        lock (_lastSnapshot)
        {
            _lastSnapshot.Remove(uri);
            _memberCaches.Remove(uri);
        }
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
            // A multi-targeted project has one document per target: hints are judged in the primary one.
            var ids = workspace.Solution.GetDocumentIdsWithFilePath(document.Path);
            if (workspace.PrimaryDocument(ids) is { } id)
            {
                var solution = WithOpenText(workspace, id, document);
                var project = solution.GetProject(id.ProjectId)!;
                var clock = Timings ? System.Diagnostics.Stopwatch.StartNew() : null;
                var compilation = await project.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
                var tree = await solution.GetDocument(id)!.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
                if (clock is not null) log.Info($"timings: compilation of {project.Name} for {Path.GetFileName(document.Path)} in {clock.ElapsedMilliseconds} ms");
                if (compilation is not null && tree is not null)
                {
                    var runtimes = workspace.RuntimesOf(project.Id);
                    return new DocumentSnapshot(document, compilation, tree, runtimes.Primary, $"project {project.Name}", solution) { OtherRuntimes = OtherRuntimesOf(workspace, ids, id, runtimes) };
                }
            }
        }
        // A file of a project that could not be loaded is judged for the runtime that would run that
        // project (an app's own, else the chosen one); any other file for the chosen runtime.
        var failure = workspace?.FailureFor(document.Path);
        string why = workspace is null ? LoadProblem ?? "the workspace is still loading" : failure?.Message ?? "the file is not part of any loaded project";
        var source = $"ad-hoc ({why})";
        var runtime = failure is not null
            ? workspace!.RuntimeOf(failure)
            : ProjectRuntimes.ForLooseFiles(null, _runtimeChoice, "a file judged on its own");
        // Incremental, as an editor host keeps it: reparse only what the edit touched and swap the tree
        // in the previous compilation, which keeps its references and everything already bound.
        if (previous is { Source: var previousSource } && previousSource.StartsWith("ad-hoc", StringComparison.Ordinal) && previous.Compilation.SyntaxTrees.Count() == 1)
        {
            var changedTree = previous.Tree.WithChangedText(document.Text);
            var changed = previous.Compilation.ReplaceSyntaxTree(previous.Tree, changedTree);
            return new DocumentSnapshot(document, changed, changedTree, runtime, source);
        }
        var adHocTree = AdHocCompilation.Parse(document.Text, document.Path, cancellationToken);
        // The framework binding the server started is the work this compilation's first use would do: wait
        // for it rather than bind the same references again beside it.
        await AdHocCompilation.FrameworkBound.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new DocumentSnapshot(document, AdHocCompilation.Create([adHocTree]), adHocTree, runtime, source);
    }

    /// <summary>The runtimes in play for a file besides its primary one: its project's others, and those of its other targets.</summary>
    private static ImmutableArray<TargetRuntime> OtherRuntimesOf(LoadedWorkspace workspace, ImmutableArray<DocumentId> ids, DocumentId primary, JudgedRuntimes runtimes)
    {
        // The common case on every edit: one project, one runtime.
        if (ids.Length == 1) return runtimes.Others;
        var others = runtimes.Others.ToList();
        foreach (var id in ids)
            if (id.ProjectId != primary.ProjectId)
                others.AddRange(workspace.RuntimesOf(id.ProjectId).All);
        return others.Where(r => r.DisplayName != runtimes.Primary.DisplayName).DistinctBy(r => r.DisplayName).ToImmutableArray();
    }

    /// <summary>
    /// The current solution with this document's text: the current solution itself for the newest
    /// version (didOpen and didChange already applied it, <see cref="ApplyLocked"/>), a fork of it for
    /// an older one, which leaves it unchanged.
    /// </summary>
    private Solution WithOpenText(LoadedWorkspace workspace, DocumentId id, OpenDocument document)
    {
        lock (_solutionGate)
        {
            // A load that completed meanwhile replaced the solution; this snapshot's workspace is older.
            if (_current is null || !ReferenceEquals(workspace, _workspace))
                return workspace.Solution.WithDocumentText(id, document.Text, PreservationMode.PreserveIdentity);
            ApplyLocked(document);
            return _current.WithDocumentText(id, document.Text, PreservationMode.PreserveIdentity);
        }
    }

    private int _loadsRunning;

    /// <summary>Marks a workspace load as running until disposed (requests then judge members on one core).</summary>
    public IDisposable LoadRunning()
    {
        Interlocked.Increment(ref _loadsRunning);
        return new LoadMark(this);
    }

    /// <summary>Whether a load (the first, or a reload after a project file changed on disk) is running.</summary>
    public bool LoadInProgress => Volatile.Read(ref _loadsRunning) > 0;

    private sealed class LoadMark(AnalysisHost host) : IDisposable
    {
        private int _disposed;
        public void Dispose() { if (Interlocked.Exchange(ref _disposed, 1) == 0) Interlocked.Decrement(ref host._loadsRunning); }
    }

    public ImmutableArray<AllocationSite> Analyze(DocumentSnapshot snapshot, TextSpan? range, CancellationToken cancellationToken)
    {
        var analyzer = new AllocationAnalyzer(snapshot.Runtime)
        {
            OnInternalError = (node, ex) => log.Error($"engine failure in {node.GetLocation().GetLineSpan()}: {ex.GetType().Name}: {ex.Message}"),
            // A request with several members to judge uses every core, except while the workspace loads: the
            // load already uses them, and the first hints would take them from it (Newtonsoft.Json, 2 cores:
            // in parallel during the load, project hints came 50 ms later; after it, 60 ms sooner; bench/README).
            JudgeMembersInParallel = !LoadInProgress,
        };
        return analyzer.Analyze(snapshot.Compilation, snapshot.Tree, range, MemberCacheOf(snapshot.Document.Uri), snapshot.Document.Version, cancellationToken);
    }

    /// <summary>
    /// What the same site gets on other runtimes ("heap on .NET 8"): first those in play for this file,
    /// with their reasons, then every other measured .NET runtime (8 to 11), newest first. The compilation
    /// is the same: a runtime changes what the JIT does with the code, not what it compiles to.
    /// </summary>
    public IReadOnlyList<OtherRuntimeVerdict> OtherRuntimes(DocumentSnapshot snapshot, AllocationSite site, bool inPlayOnly, CancellationToken cancellationToken)
    {
        var result = new List<OtherRuntimeVerdict>();
        var candidates = snapshot.OtherRuntimes.Select(r => (Runtime: r, InPlay: true));
        if (!inPlayOnly)
            candidates = candidates.Concat(Enumerable.Range(8, TargetRuntime.NewestMeasuredMajor - 7).Reverse().Select(m => (Runtime: TargetRuntime.DotNet(m), InPlay: false)));
        foreach (var (runtime, inPlay) in candidates)
        {
            if (runtime.DisplayName == snapshot.Runtime.DisplayName || result.Any(r => r.Runtime.DisplayName == runtime.DisplayName)) continue;
            var analyzer = new AllocationAnalyzer(runtime.Because(null) with { Optimized = snapshot.Runtime.Optimized });
            var sites = analyzer.Analyze(snapshot.Compilation, snapshot.Tree, site.Where.Span, cancellationToken);
            result.Add(new OtherRuntimeVerdict(runtime, inPlay, sites.FirstOrDefault(s => s.Where.Span == site.Where.Span && s.Category == site.Category)?.Kind));
        }
        return result;
    }
}

/// <summary>A site's verdict on a runtime other than the one its hint is judged for; <see cref="Kind"/> null: no such site there.</summary>
/// <param name="InPlay">The runtime runs this file in the workspace (another app loads the library), rather than being listed for comparison.</param>
public sealed record OtherRuntimeVerdict(TargetRuntime Runtime, bool InPlay, AllocationKind? Kind);
