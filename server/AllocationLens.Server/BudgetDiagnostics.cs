using AllocationLens.Analysis;
using AllocationLens.Workspace;

namespace AllocationLens.Server;

/// <summary>
/// Allocation budgets in the editor: hot methods over their budget become warnings in the Problems
/// panel (textDocument/publishDiagnostics), each with its reason and the sites as related locations.
/// Checked after typing pauses, on the whole document, and only for documents that mention a hot
/// attribute name or when a `.allocationlens.json` names methods: other files cost nothing.
/// </summary>
public sealed partial class LanguageServer
{
    private readonly Dictionary<string, CancellationTokenSource> _budgetWork = new(StringComparer.Ordinal);
    private readonly HashSet<string> _budgetPublished = new(StringComparer.Ordinal);

    /// <summary>How long typing must pause before budgets are checked again.</summary>
    public TimeSpan BudgetDelay { get; init; } = TimeSpan.FromMilliseconds(300);

    private void ScheduleBudgetCheck(string uri)
    {
        var cts = new CancellationTokenSource();
        lock (_budgetWork)
        {
            if (_budgetWork.Remove(uri, out var previous)) previous.Cancel();
            _budgetWork[uri] = cts;
        }
        _ = Task.Delay(BudgetDelay, cts.Token).ContinueWith(async t =>
        {
            if (t.IsCanceled) return;
            try { await CheckBudgetsAsync(uri, cts.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            catch (Exception e) { _log.Error($"budget check failed for {uri}: {e.Message}"); }
        }, TaskScheduler.Default);
    }

    private async Task CheckBudgetsAsync(string uri, CancellationToken cancellationToken)
    {
        if (_documents.Get(uri) is not { } document) return;
        var configuration = BudgetConfiguration.Load(BudgetFolders(document.Path));
        if (!MentionsHotAttribute(document.Text) && configuration.Budgets.Count == 0)
        {
            if (_budgetPublished.Remove(uri)) await PublishAsync(uri, []).ConfigureAwait(false);
            return;
        }
        var snapshot = await _host.SnapshotAsync(document, cancellationToken).ConfigureAwait(false);
        var model = snapshot.Compilation.GetSemanticModel(snapshot.Tree);
        var hot = HotMethods.In(snapshot.Tree, model, configuration.Budgets, cancellationToken).ToList();
        // Only the hot methods are analysed (through the member cache), never the whole document.
        var sites = hot.SelectMany(h => _host.Analyze(snapshot, h.Declaration.Span, cancellationToken)).Distinct().ToList();
        // Reached source callees count through call summaries: only for the hot methods' own calls, and each
        // callee's part is computed once per compilation (CallSummaries), so a file without hot methods pays nothing.
        var violations = BudgetCheck.Check(snapshot.Tree, hot, sites,
            declaration => CallSummaries.OfMember(snapshot.Compilation, declaration, snapshot.Runtime, cancellationToken, SummaryError), cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var diagnostics = violations.Select(v => (object)new
        {
            range = new Range(new Position(v.Declaration.Lines.Start.Line, v.Declaration.Lines.Start.Character), new Position(v.Declaration.Lines.End.Line, v.Declaration.Lines.End.Character)),
            severity = 2,
            source = "Allocation Lens",
            code = "budget",
            message = v.Message + (configuration.Problems.Count > 0 ? " (" + string.Join("; ", configuration.Problems) + ")" : ""),
            relatedInformation = v.Sites.Select(s => (object)new
            {
                location = new { uri = UriPaths.ToUri(s.Where.Path), range = SiteRendering.RangeOf(s) },
                message = $"{SiteRendering.Label(s.Kind)}: {s.Message}",
            }).Concat(v.Calls.Select(c => (object)new
            {
                location = new { uri = UriPaths.ToUri(c.Call.Path), range = SummaryRendering.RangeOf(c.Call) },
                message = c.Sentence,
            })).ToArray(),
        }).ToList();
        if (diagnostics.Count > 0) _budgetPublished.Add(uri); else _budgetPublished.Remove(uri);
        await PublishAsync(uri, diagnostics).ConfigureAwait(false);
    }

    /// <summary>Whether the text names a hot attribute, read in chunks: no copy of the whole document per edit.</summary>
    private static bool MentionsHotAttribute(Microsoft.CodeAnalysis.Text.SourceText text)
    {
        const int chunk = 4096, overlap = 16; // overlap: a name cut at a chunk boundary is still seen
        var buffer = new char[chunk + overlap];
        for (int start = 0; start < text.Length; start += chunk)
        {
            int length = Math.Min(buffer.Length, text.Length - start);
            text.CopyTo(start, buffer, 0, length);
            var span = buffer.AsSpan(0, length);
            if (span.Contains("HotPath", StringComparison.Ordinal) || span.Contains("AllocationFree", StringComparison.Ordinal) || span.Contains("NoAllocation", StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    private Task PublishAsync(string uri, IReadOnlyList<object> diagnostics) =>
        _connection.NotifyAsync("textDocument/publishDiagnostics", new { uri, diagnostics });

    /// <summary>The workspace root and the document's project folder: where `.allocationlens.json` may live.</summary>
    private IEnumerable<string> BudgetFolders(string path)
    {
        if (_root is not null) yield return _root;
        var (project, _) = ProjectOf(path);
        yield return project is not null ? Path.GetDirectoryName(project)! : Path.GetDirectoryName(path)!;
    }
}
