using System.Text.Json;
using AllocationLens.Analysis;
using AllocationLens.Verification;
using AllocationLens.Protocol;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>
/// allocationLens/workspaceAllocations: every allocation site of the workspace, for the Allocations
/// view, grouped per document and member. Streams one document at a time as LSP partial results
/// ($/progress on the request's partialResultToken; the final answer then carries no documents) with
/// work-done progress on its workDoneToken, and stops on $/cancelRequest.
///
/// It is background work: one slice (a few members of one document) at a time, on one thread, and
/// every foreground request (hints, hovers, code actions, lenses, Explain) preempts it through
/// <see cref="ForegroundGate"/>, so the file being edited never waits for the scan. Open documents are
/// judged on their current text through the same snapshots and member caches as their hints; the
/// others on the loaded solution. Before the workspace has loaded (or when it cannot be) only open
/// documents are listed, and the answer says so.
/// </summary>
public sealed partial class LanguageServer
{
    public const string WorkspaceAllocationsMethod = "allocationLens/workspaceAllocations";

    private readonly ForegroundGate _foreground = new();

    /// <summary>Background work yields to these requests (tests and benchmarks read its preemption count).</summary>
    public ForegroundGate Foreground => _foreground;

    /// <summary>About how many characters of member bodies one background slice judges before it checks for foreground work.</summary>
    public int SliceCharacters { get; init; } = 6_000;

    /// <summary>Tests only: awaited after each streamed document (to hold the scan in flight).</summary>
    internal Func<string, Task>? DocumentStreamed { get; init; }

    /// <summary>Tests only: called as each background slice starts, with the token a foreground request cancels.</summary>
    internal Action<CancellationToken>? SliceStarted { get; init; }

    /// <summary>
    /// Results of closed documents, per loaded workspace: they are judged on the loaded solution, which
    /// does not change until the next load, so a refresh after an edit only judges open documents again.
    /// </summary>
    private readonly Dictionary<DocumentId, object?> _closedResults = [];
    private Workspace.LoadedWorkspace? _closedResultsOf;

    /// <summary>Keep closed documents' results between scans (benchmarks turn it off to measure scans that judge everything).</summary>
    public bool ReuseClosedResults { get; set; } = true;

    /// <summary>How many closed documents a scan answered from <see cref="_closedResults"/> (tests read it).</summary>
    internal int ClosedResultsReused { get; private set; }

    private sealed record ScanItem(string Uri, string Path, string Project, OpenDocument? Open, DocumentId? Id);

    private async Task<object?> WorkspaceAllocationsAsync(JsonElement? parameters, CancellationToken cancellationToken)
    {
        string? workToken = null, partialToken = null;
        if (parameters is { ValueKind: JsonValueKind.Object } p)
        {
            workToken = TokenOf(p, "workDoneToken");
            partialToken = TokenOf(p, "partialResultToken");
        }
        var workspace = _host.Workspace;
        var items = Plan(workspace);
        var progress = workToken is null ? null : await BeginProgressAsync("Allocation Lens: allocations in the workspace", workToken).ConfigureAwait(false);
        var collected = new List<object>();
        var compilations = new Dictionary<ProjectId, Task<Compilation?>>();
        int done = 0, withSites = 0, failed = 0;
        try
        {
            foreach (var item in items)
            {
                cancellationToken.ThrowIfCancellationRequested();
                object? document = null;
                try { document = await ScanDocumentAsync(item, workspace, compilations, cancellationToken).ConfigureAwait(false); }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested) { throw; }
                catch (Exception e)
                {
                    // One unreadable document never stops the scan: it is left out and logged.
                    failed++;
                    _log.Warning($"allocations view: skipped {item.Path}: {e.GetType().Name}: {e.Message}");
                }
                done++;
                if (document is not null)
                {
                    withSites++;
                    if (partialToken is not null)
                        await _connection.NotifyAsync("$/progress", new { token = partialToken, value = new { documents = new[] { document } } }).ConfigureAwait(false);
                    else collected.Add(document);
                }
                if (progress is not null && (done % 8 == 0 || done == items.Count))
                    await _connection.NotifyAsync("$/progress", new { token = progress, value = new { kind = "report", message = $"{done}/{items.Count} files", percentage = items.Count == 0 ? 100 : done * 100 / items.Count } }).ConfigureAwait(false);
                if (DocumentStreamed is { } hook) await hook(item.Uri).ConfigureAwait(false);
            }
        }
        finally
        {
            if (progress is not null) await EndProgressAsync(progress, cancellationToken.IsCancellationRequested ? "cancelled" : $"{done} files").ConfigureAwait(false);
        }
        string? note = workspace is not null ? null
            : $"Only open files are listed: {_host.LoadProblem ?? "the workspace is still loading"}.";
        return new { documents = collected, files = done, filesWithSites = withSites, failed, complete = workspace is not null, note, unexplained = UnexplainedForView(workspace, cancellationToken), measuredRun = _measured.Run is { } run ? MeasuredRendering.RunLine(run) : null };
    }

    private static string? TokenOf(JsonElement parameters, string name) =>
        parameters.TryGetProperty(name, out var t) ? t.ValueKind switch
        {
            JsonValueKind.String => t.GetString(),
            JsonValueKind.Number => t.GetRawText(),
            _ => null,
        } : null;

    /// <summary>
    /// What to scan: open documents first (what the user works on), then every C# document of the loaded
    /// projects by project and path, each path once (a multi-target project lists its files per target;
    /// they are judged in the primary target, as hints are). Generated files under obj/ are left out.
    /// </summary>
    private List<ScanItem> Plan(Workspace.LoadedWorkspace? workspace)
    {
        var items = new List<ScanItem>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var solution = workspace?.Solution;
        string ProjectName(string path)
        {
            if (solution is not null && workspace?.PrimaryDocument(solution.GetDocumentIdsWithFilePath(path)) is { } primary) return solution.GetProject(primary.ProjectId)!.Name;
            return "Other files";
        }
        foreach (var open in _documents.All.OrderBy(d => d.Path, StringComparer.Ordinal))
            if (seen.Add(open.Path)) items.Add(new ScanItem(open.Uri, open.Path, ProjectName(open.Path), open, null));
        if (solution is null) return items;
        foreach (var project in solution.Projects.Where(p => p.Language == LanguageNames.CSharp).OrderBy(p => p.Name, StringComparer.Ordinal))
            foreach (var document in project.Documents.Where(d => d.FilePath is not null && d.SourceCodeKind == SourceCodeKind.Regular).OrderBy(d => d.FilePath, StringComparer.Ordinal))
            {
                var path = document.FilePath!;
                if (IsGenerated(path) || !seen.Add(path)) continue;
                // A multi-targeted project's file is listed once, judged in its primary target.
                var id = workspace!.PrimaryDocument(solution.GetDocumentIdsWithFilePath(path))!;
                items.Add(new ScanItem(UriPaths.ToUri(path), path, solution.GetProject(id.ProjectId)!.Name, null, id));
            }
        return items;
    }

    private static bool IsGenerated(string path) =>
        path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || path.EndsWith(".g.cs", StringComparison.OrdinalIgnoreCase);

    /// <summary>One document's sites, grouped by member; null when it has none.</summary>
    private async Task<object?> ScanDocumentAsync(ScanItem item, Workspace.LoadedWorkspace? workspace, Dictionary<ProjectId, Task<Compilation?>> compilations, CancellationToken cancellationToken)
    {
        Compilation compilation;
        SyntaxTree tree;
        TargetRuntime runtime;
        DocumentSnapshot? snapshot = null;
        // A document opened since the plan was made is judged on its editor text, as its hints are.
        var open = _documents.Get(item.Uri);
        if (open is not null)
        {
            await _foreground.WaitIdleAsync(cancellationToken).ConfigureAwait(false);
            snapshot = await _host.SnapshotAsync(open, cancellationToken).ConfigureAwait(false);
            (compilation, tree, runtime) = (snapshot.Compilation, snapshot.Tree, snapshot.Runtime);
        }
        else if (workspace is not null && item.Id is { } id && workspace.Solution.GetDocument(id) is { } document)
        {
            lock (_closedResults)
            {
                if (!ReferenceEquals(_closedResultsOf, workspace)) { _closedResults.Clear(); _closedResultsOf = workspace; }
                else if (ReuseClosedResults && _closedResults.TryGetValue(id, out var known)) { ClosedResultsReused++; return known; }
            }
            if (!compilations.TryGetValue(id.ProjectId, out var pending)) compilations[id.ProjectId] = pending = document.Project.GetCompilationAsync(CancellationToken.None);
            compilation = await pending.WaitAsync(cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("no compilation");
            tree = await document.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false) ?? throw new InvalidOperationException("no syntax tree");
            runtime = workspace.RuntimeOf(id.ProjectId);
        }
        else return null; // closed since the plan was made, and in no project

        var sites = new List<AllocationSite>();
        var seenSites = new HashSet<(TextSpan, string)>();
        foreach (var range in Slices(tree.GetRoot(cancellationToken), SliceCharacters))
        {
            var sliceSites = await InBackgroundAsync(token => snapshot is not null
                ? _host.Analyze(snapshot, range, token)
                : new AllocationAnalyzer(runtime)
                {
                    OnInternalError = (node, ex) => _log.Error($"engine failure in {node.GetLocation().GetLineSpan()}: {ex.GetType().Name}: {ex.Message}"),
                }.Analyze(compilation, tree, range, token), cancellationToken).ConfigureAwait(false);
            foreach (var site in sliceSites)
                if (seenSites.Add((site.Where.Span, site.Category))) sites.Add(site);
        }
        var result = sites.Count == 0 ? null : Render(item, tree, sites, runtime, snapshot is not null, cancellationToken);
        if (snapshot is null && item.Id is { } closedId)
            lock (_closedResults) { if (ReferenceEquals(_closedResultsOf, workspace)) _closedResults[closedId] = result; }
        return result;
    }

    private object Render(ScanItem item, SyntaxTree tree, List<AllocationSite> sites, TargetRuntime runtime, bool open, CancellationToken cancellationToken)
    {
        var members = SiteOwners.Group(tree, sites, cancellationToken).Select(g => new
        {
            name = g.Owner.Name,
            range = new Range(new Position(g.Owner.AnchorLines.Start.Line, g.Owner.AnchorLines.Start.Character), new Position(g.Owner.AnchorLines.End.Line, g.Owner.AnchorLines.End.Character)),
            sites = g.Sites.Select(s => SiteRendering.ViewSite(s, JitStateOf(item.Uri, s, runtime.Moniker),
                _measured.HasAny ? MeasuredOf(item.Path, tree.GetRoot(cancellationToken), tree.GetText(cancellationToken), s) : null)).ToArray(),
        }).ToArray();
        return new
        {
            uri = item.Uri,
            path = item.Path,
            project = item.Project,
            target = runtime.Moniker,
            open,
            methods = members,
        };
    }

    /// <summary>
    /// "verified" or "disagrees" after Verify with JIT judged the site (open documents keep those);
    /// "unverified" for a site a JIT verdict would mean something for that has none yet (never verified,
    /// or left unjudged: its hover says why); null for sites no JIT verdict applies to (strings, calls).
    /// </summary>
    private string? JitStateOf(string uri, AllocationSite site, string targetFramework)
    {
        if (_verified.HasAny(uri) && _verified.Lookup(uri, site) is { } jit
            && JitRendering.Compare(site, jit, targetFramework, _verified.RuntimesOf(uri)) is { Compared: not null } comparison)
            return comparison.Disagrees ? "disagrees" : "verified";
        return SiteMatcher.ExpectsJitVerdict(site) ? "unverified" : null;
    }

    /// <summary>
    /// The last run's unexplained allocations (the user's code, where no site is reported) whose members
    /// are unchanged since, most bytes first: the view lists them as their own group.
    /// </summary>
    private object[] UnexplainedForView(Workspace.LoadedWorkspace? workspace, CancellationToken cancellationToken)
    {
        if (!_measured.HasAny) return [];
        var found = new List<(UnexplainedEntry Entry, string Uri)>();
        foreach (var path in _measured.PathsWithUnexplained())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var uri = UriPaths.ToUri(path);
            SourceText? text = _documents.Get(uri)?.Text;
            if (text is null && workspace?.PrimaryDocument(workspace.Solution.GetDocumentIdsWithFilePath(path)) is { } id
                && workspace.Solution.GetDocument(id)?.TryGetText(out var loaded) == true) text = loaded;
            if (text is null)
            {
                try { text = SourceText.From(File.ReadAllText(path)); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            }
            var root = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(text, path: path, cancellationToken: cancellationToken).GetRoot(cancellationToken);
            foreach (var (entry, _) in _measured.UnexplainedIn(path, root, text)) found.Add((entry, uri));
        }
        return found.OrderByDescending(f => f.Entry.Measured.Bytes).Select(f => (object)new
        {
            uri = f.Uri,
            path = f.Entry.Path,
            line = f.Entry.Line,
            type = f.Entry.Type,
            method = f.Entry.Method,
            measured = new { bytes = f.Entry.Measured.Bytes, objects = f.Entry.Measured.Objects, samples = f.Entry.Measured.Samples },
        }).ToArray();
    }

    /// <summary>
    /// Runs one slice when no foreground request is running; a foreground request that starts meanwhile
    /// cancels it, and it runs again once that request is answered.
    /// </summary>
    private async Task<T> InBackgroundAsync<T>(Func<CancellationToken, T> work, CancellationToken cancellationToken)
    {
        while (true)
        {
            var preempt = await _foreground.WaitIdleAsync(cancellationToken).ConfigureAwait(false);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, preempt);
            try
            {
                return await Task.Run(() =>
                {
                    SliceStarted?.Invoke(linked.Token);
                    return work(linked.Token);
                }, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested) { /* preempted: run it again when idle */ }
        }
    }

    /// <summary>
    /// The document cut into ranges of consecutive members, each about <paramref name="characters"/> long
    /// (a member is never cut). A file with top-level statements is one slice: they span the whole file.
    /// </summary>
    internal static IEnumerable<TextSpan?> Slices(SyntaxNode root, int characters)
    {
        var members = AllocationAnalyzer.BoundMembers(root).ToList();
        if (members.Count == 0) yield break;
        if (members.Any(m => m is CompilationUnitSyntax)) { yield return null; yield break; }
        members.Sort((a, b) => a.SpanStart.CompareTo(b.SpanStart));
        int start = members[0].SpanStart, end = members[0].Span.End;
        foreach (var member in members.Skip(1))
        {
            if (member.Span.End - start > characters)
            {
                yield return TextSpan.FromBounds(start, end);
                start = member.SpanStart;
            }
            end = Math.Max(end, member.Span.End);
        }
        yield return TextSpan.FromBounds(start, end);
    }
}
