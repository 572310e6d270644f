using System.Diagnostics;
using System.Text.Json;
using AllocationLens.Analysis;
using AllocationLens.Analysis.Fixes;
using AllocationLens.Protocol;
using AllocationLens.Workspace;

namespace AllocationLens.Server;

/// <summary>
/// The Allocation Lens language server: registers the handlers on a JSON-RPC connection. State changes
/// (didOpen, didChange, didClose) run in order on the connection's loop; requests run on snapshots,
/// and an edit cancels requests still computing on that document (they answer ContentModified).
/// </summary>
public sealed partial class LanguageServer
{
    private readonly JsonRpcConnection _connection;
    private readonly DocumentStore _documents = new();
    private readonly ServerLog _log;
    private readonly AnalysisHost _host;
    private readonly Dictionary<string, CancellationTokenSource> _documentWork = new(StringComparer.Ordinal);
    private string? _root;
    private bool _trusted = true;
    private bool _clientSupportsRefresh;
    private bool _clientSupportsCodeLensRefresh;
    private bool _clientSupportsProgress;
    private int? _clientProcessId;

    public LanguageServer(Stream input, Stream output, ServerLog? log = null)
    {
        // The LSP types' metadata is compiled in: the first messages pay no reflection (LspJsonContext).
        Json.UseMetadataFirst(LspJsonContext.Default);
        _log = log ?? new ServerLog();
        _connection = new JsonRpcConnection(input, output, message => _log.Warning(message));
        _log.Attach(_connection);
        _host = new AnalysisHost(_log);
        Register();
    }

    public DocumentStore Documents => _documents;
    /// <summary>The analysis state (benchmarks and tests read its member-cache counters).</summary>
    public AnalysisHost Host => _host;

    /// <summary>Design-time results kept between loads (the user's cache, as `analyze` keeps them), or null when turned off.</summary>
    public DesignTimeCache? DesignTimeCache { get; init; } = DesignTimeCache.Default();

    /// <summary>Optional: disable loading MSBuild projects (tests of the ad-hoc path).</summary>
    public bool LoadProjects { get; init; } = true;

    public Task<int> RunAsync(CancellationToken cancellationToken = default) => _connection.RunAsync(cancellationToken);

    private void Register()
    {
        _connection.OnRequest("initialize", (p, ct) => Task.FromResult<object?>(Initialize(p)));
        _connection.OnRequest("shutdown", (p, ct) => Task.FromResult<object?>(null));
        _connection.OnNotification("initialized", p => { _ = RegisterFileWatchersAsync(); StartWorkspaceLoad(); });
        _connection.OnNotification("textDocument/didOpen", p =>
        {
            var args = Json.Params<DidOpenTextDocumentParams>(p);
            _host.Apply(_documents.Open(args.TextDocument.Uri, args.TextDocument.Text ?? "", args.TextDocument.Version));
            ScheduleBudgetCheck(args.TextDocument.Uri);
            SettleUnknownFileOnOpen(args.TextDocument.Uri);
        });
        _connection.OnNotification("textDocument/didChange", p =>
        {
            var args = Json.Params<DidChangeTextDocumentParams>(p);
            CancelWorkOn(args.TextDocument.Uri);
            var before = _documents.Get(args.TextDocument.Uri)?.Text;
            var (doc, warnings) = _documents.Change(args.TextDocument.Uri, args.TextDocument.Version, args.ContentChanges ?? []);
            if (doc is not null) _host.Apply(doc);
            if (before is not null && doc is not null) _verified.OnEdit(args.TextDocument.Uri, before, doc.Text);
            ScheduleBudgetCheck(args.TextDocument.Uri);
            foreach (var warning in warnings) _log.Warning(warning);
            ScheduleCrossFileRefresh();
        });
        _connection.OnNotification("textDocument/didClose", p =>
        {
            var args = Json.Params<DidCloseTextDocumentParams>(p);
            CancelWorkOn(args.TextDocument.Uri);
            _documents.Close(args.TextDocument.Uri);
            _host.Forget(args.TextDocument.Uri, UriPaths.ToPath(args.TextDocument.Uri));
            _verified.Forget(args.TextDocument.Uri);
        });
        _connection.OnNotification("workspace/didChangeConfiguration", OnDidChangeConfiguration);
        _connection.OnNotification("workspace/didChangeWatchedFiles", OnDidChangeWatchedFiles);
        _connection.OnRequest("textDocument/inlayHint", InlayHintsAsync);
        _connection.OnRequest("textDocument/hover", HoverAsync);
        _connection.OnRequest("workspace/executeCommand", ExecuteCommandAsync);
        _connection.OnRequest("textDocument/codeAction", CodeActionsAsync);
        _connection.OnRequest("textDocument/codeLens", CodeLensesAsync);
        _connection.OnRequest(WorkspaceAllocationsMethod, WorkspaceAllocationsAsync);
    }

    private object Initialize(JsonElement? parameters)
    {
        var args = Json.Params<InitializeParams>(parameters);
        _root = args.WorkspaceFolders?.FirstOrDefault()?.Uri is { } folder ? UriPaths.ToPath(folder)
            : args.RootUri is { } rootUri ? UriPaths.ToPath(rootUri) : args.RootPath;
        if (args.InitializationOptions is { ValueKind: JsonValueKind.Object } options && options.TryGetProperty("trusted", out var trusted) && trusted.ValueKind == JsonValueKind.False)
            _trusted = false;
        if (args.InitializationOptions is { } initOptions) { ReadCallSummarySetting(initOptions); ReadRuntimeSetting(initOptions); }
        if (parameters is { } raw && raw.TryGetProperty("capabilities", out var caps))
        {
            _clientSupportsRefresh = caps.TryGetProperty("workspace", out var ws) && ws.TryGetProperty("inlayHint", out var ih) && ih.TryGetProperty("refreshSupport", out var rs) && rs.ValueKind == JsonValueKind.True;
            _clientSupportsCodeLensRefresh = caps.TryGetProperty("workspace", out var ws2) && ws2.TryGetProperty("codeLens", out var cl) && cl.TryGetProperty("refreshSupport", out var crs) && crs.ValueKind == JsonValueKind.True;
            _clientSupportsProgress = caps.TryGetProperty("window", out var win) && win.TryGetProperty("workDoneProgress", out var wdp) && wdp.ValueKind == JsonValueKind.True;
            ReadWatchCapability(caps);
        }
        _clientProcessId = args.ProcessId;
        WatchClientProcess();
        LoadMeasurements();
        return new
        {
            capabilities = new
            {
                textDocumentSync = new { openClose = true, change = 2 },
                inlayHintProvider = new { resolveProvider = false },
                hoverProvider = true,
                codeLensProvider = new { resolveProvider = false },
                codeActionProvider = new { codeActionKinds = new[] { CodeActions.FixRendering.QuickFixKind } },
                executeCommandProvider = new { commands = new[] { SiteRendering.ExplainCommand, VerifyCommand, MeasureCommand } },
            },
            serverInfo = new { name = "allocation-lens", version = typeof(LanguageServer).Assembly.GetName().Version?.ToString(3) ?? "0.1.0" },
        };
    }

    /// <summary>The server exits when the editor that started it dies (LSP: processId).</summary>
    private void WatchClientProcess()
    {
        if (_clientProcessId is not int pid) return;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
                bool alive;
                try { using var p = Process.GetProcessById(pid); alive = !p.HasExited; }
                catch (ArgumentException) { alive = false; }
                catch (InvalidOperationException) { alive = false; }
                if (!alive)
                {
                    _log.Warning($"client process {pid} is gone; exiting");
                    Environment.Exit(1);
                }
            }
        });
    }

    /// <summary>Tells the client the load state (its status bar): loading, ready, limited or failed.</summary>
    private void ReportStatus(string state, string message) =>
        _ = _connection.NotifyAsync("allocationLens/status", new { state, message });

    private void StartWorkspaceLoad()
    {
        if (!LoadProjects || _root is null || !Directory.Exists(_root))
        {
            _host.LoadProblem = _root is null ? "no workspace folder" : "projects are not loaded";
            ReportStatus("limited", $"No folder to load ({_host.LoadProblem}): files are judged on their own against the framework.");
            return;
        }
        if (!_trusted)
        {
            _host.LoadProblem = "the folder is not trusted, so its projects are not evaluated";
            _log.Info("Workspace is untrusted: MSBuild projects are not evaluated; files are analysed on their own against the framework.");
            ReportStatus("limited", "Restricted Mode: MSBuild projects are not evaluated until you trust this folder; files are judged on their own against the framework.");
            return;
        }
        var root = _root;
        _ = Task.Run(async () =>
        {
            // The editor opens its documents and asks for their hints right after `initialized`; with
            // nothing open, the load starts after the grace period. Loaded in process, the load no longer
            // takes a build host's cores from the first hints: it runs beside them (Newtonsoft.Json's
            // JsonTextReader.cs on 2 idle cores: project hints 3.6 s after waiting, see bench/README).
            bool inProcess = Environment.GetEnvironmentVariable("ALLOCATION_LENS_BUILD_HOST") is not { Length: > 0 };
            if (!inProcess) await Task.WhenAny(_firstHintsAnswered.Task, Task.Delay(FirstHintsGrace)).ConfigureAwait(false);
            var watch = Stopwatch.StartNew();
            _loadStartedUtc = DateTime.UtcNow;
            string? token = null;
            var loading = _host.LoadRunning();
            try
            {
                if (WorkspaceLoader.Resolve(root).Count == 0)
                {
                    _host.LoadProblem = "no .sln, .slnx or .csproj in the folder";
                    _log.Info($"No .sln, .slnx or .csproj under {root}: analysing files on their own.");
                    ReportStatus("limited", "No .sln, .slnx or .csproj in this folder: files are judged on their own against the framework.");
                    return;
                }
                if (GlobalJsonSdk.Unsatisfied(root, MsBuildRegistration.InstalledSdks) is { } pinned)
                {
                    // Neither evaluation nor restore can run without that SDK: say exactly why, judge files on their own.
                    _host.LoadProblem = pinned;
                    _log.Warning($"{pinned}; files are judged on their own.");
                    ReportStatus("limited", $"{pinned}. Files are judged on their own against the framework.");
                    return;
                }
                ReportStatus("loading", $"loading projects under {root}");
                token = await BeginProgressAsync("Allocation Lens: loading projects").ConfigureAwait(false);
                var progress = new Progress<string>(message => _ = ReportProgressAsync(token, message));
                // As `analyze` loads: MSBuild in this process, its design-time results kept between starts
                // (no build host to start cold); the build host loads what that loader declines.
                var loaded = await WorkspaceLoader.LoadAsync(root, line => _log.Info(line), progress,
                    inProcess: inProcess, cache: DesignTimeCache).ConfigureAwait(false);
                // The open files' references are bound while the idle-generator check reads every text.
                var referencesBound = ReferenceWarmUp.BindAsync(loaded.Solution, _documents.All.Select(d => d.Path));
                // The SDK's generators that nothing triggers cost most of a first compilation and produce nothing.
                var (solution, leftOut) = await IdleFrameworkGenerators.RemoveFromAsync(loaded.Solution).ConfigureAwait(false);
                loaded = loaded.WithSolution(solution);
                if (leftOut.Count > 0) _log.Info($"Left out {leftOut.Count} idle framework generator and analyzer reference(s); typing a generator's attribute brings it back.");
                var bound = await referencesBound.ConfigureAwait(false);
                _host.UseWorkspace(loaded, () => _documents.All, leftOut);
                loading.Dispose();
                // The document the editor last asked hints for is judged first: its compilation starts now,
                // before the editor asks again, and the hint request that follows the refresh joins it.
                var openFirst = _lastHintRequest is { } looked && _documents.Get(looked.Uri) is { } shown
                    ? (Task)_host.SnapshotAsync(shown, CancellationToken.None) : Task.CompletedTask;
                _log.Info($"Loaded {loaded.Solution.Projects.Count()} project(s) in {watch.ElapsedMilliseconds} ms: " +
                          string.Join(", ", loaded.Solution.Projects.Select(p => $"{p.Name} ({loaded.TargetOf(p.Id)}, judged for {_host.Workspace?.RuntimeOf(p.Id).Description ?? "?"})")));
                await EndProgressAsync(token, "projects loaded").ConfigureAwait(false);
                foreach (var failure in loaded.Failures) _log.Warning(failure.Message);
                var failedNote = string.Concat(loaded.Failures.Select(f => $" {f.Message}."));
                var loadedNote = loaded.Solution.Projects.Any()
                    ? $"{loaded.Solution.Projects.Count()} project(s) loaded: {string.Join(", ", loaded.Solution.Projects.Select(p => $"{p.Name} ({loaded.TargetOf(p.Id)} on {_host.Workspace?.RuntimeOf(p.Id).DisplayName ?? "?"})"))}."
                    : "No project loaded.";
                ReportStatus(loaded.FailedProjects.Count > 0 && !loaded.Solution.Projects.Any() ? "failed" : "ready", loadedNote + failedNote);
                await RefreshHintsAsync().ConfigureAwait(false);
                ScheduleDiskBatch(); // files that changed on disk while the projects loaded
                try { await openFirst.ConfigureAwait(false); }
                catch (Exception ex) { _log.Warning($"the open document could not be judged after the load: {ex.Message}"); }
                GC.KeepAlive(bound); // its bound references served the compilations just made
                _ = WarmUpEditPathAsync();
            }
            catch (Exception ex)
            {
                _host.LoadProblem = $"projects could not be loaded: {ex.Message}";
                _log.Error($"Could not load the workspace at {root}: {ex.Message}. Falling back to analysing files on their own.");
                ReportStatus("failed", ex.Message);
                if (token is not null) await EndProgressAsync(token, "load failed").ConfigureAwait(false);
            }
            finally { loading.Dispose(); }
        });
    }

    /// <summary>
    /// Starts work-done progress: on the token the client passed with the request (LSP's workDoneToken,
    /// which its own cancellable progress UI shows), else on a server-created one when the client supports it.
    /// </summary>
    private async Task<string?> BeginProgressAsync(string title, string? clientToken = null)
    {
        if (clientToken is not null)
        {
            await _connection.NotifyAsync("$/progress", new { token = clientToken, value = new { kind = "begin", title, cancellable = true } }).ConfigureAwait(false);
            return clientToken;
        }
        if (!_clientSupportsProgress) return null;
        var token = "allocation-lens-load-" + Guid.NewGuid().ToString("N");
        try
        {
            await _connection.RequestAsync("window/workDoneProgress/create", new { token }).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await _connection.NotifyAsync("$/progress", new { token, value = new { kind = "begin", title, cancellable = false } }).ConfigureAwait(false);
            return token;
        }
        catch (Exception ex)
        {
            _log.Warning($"progress not available: {ex.Message}");
            return null;
        }
    }

    private Task ReportProgressAsync(string? token, string message) =>
        token is null ? Task.CompletedTask : _connection.NotifyAsync("$/progress", new { token, value = new { kind = "report", message } });

    private Task EndProgressAsync(string? token, string message) =>
        token is null ? Task.CompletedTask : _connection.NotifyAsync("$/progress", new { token, value = new { kind = "end", message } });

    /// <summary>Asks the client to request hints and code lenses again (each when it supports the refresh request).</summary>
    private async Task RefreshHintsAsync()
    {
        if (_clientSupportsCodeLensRefresh) _ = RefreshAsync("workspace/codeLens/refresh");
        if (_clientSupportsRefresh) await RefreshAsync("workspace/inlayHint/refresh").ConfigureAwait(false);
    }

    private async Task RefreshAsync(string method)
    {
        try { await _connection.RequestAsync(method, null).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false); }
        catch (Exception ex) { _log.Warning($"{method} failed: {ex.Message}"); }
    }

    private CancellationTokenSource? _refreshDebounce;

    /// <summary>
    /// An edit can change a callee's summary (whether it keeps an argument local) that hints in other
    /// open files depend on. Once typing pauses, ask the client to re-request hints; it only asks for
    /// visible ranges, and unchanged members are cheap to judge again.
    /// </summary>
    private void ScheduleCrossFileRefresh()
    {
        // Only hints in other open documents can change; with one document open the edit's own
        // request already brought fresh hints, and a refresh would only repeat that work.
        if (!(_clientSupportsRefresh || _clientSupportsCodeLensRefresh) || _documents.All.Count < 2) return;
        var cts = new CancellationTokenSource();
        Interlocked.Exchange(ref _refreshDebounce, cts)?.Cancel();
        _ = Task.Delay(RefreshDelay, cts.Token).ContinueWith(t => { if (!t.IsCanceled) _ = RefreshHintsAsync(); }, TaskScheduler.Default);
    }

    /// <summary>Tests only: awaited when request work on a document has started (to order an edit against it).</summary>
    internal Func<string, Task>? WorkStarted { get; init; }

    /// <summary>How long typing must pause before other files' hints are refreshed.</summary>
    public TimeSpan RefreshDelay { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>A token for work on one document that the next edit cancels.</summary>
    private CancellationToken WorkToken(string uri, CancellationToken request)
    {
        lock (_documentWork)
        {
            if (!_documentWork.TryGetValue(uri, out var cts) || cts.IsCancellationRequested)
                _documentWork[uri] = cts = new CancellationTokenSource();
            return CancellationTokenSource.CreateLinkedTokenSource(cts.Token, request).Token;
        }
    }

    private void CancelWorkOn(string uri)
    {
        lock (_documentWork)
        {
            if (_documentWork.Remove(uri, out var cts)) cts.Cancel();
        }
    }

    private OpenDocument RequireDocument(string uri) =>
        _documents.Get(uri) ?? throw new JsonRpcException(ErrorCodes.InvalidParams, $"unknown document (not open): {uri}");

    /// <summary>Runs request work on a snapshot; an edit meanwhile turns it into ContentModified.</summary>
    private async Task<T> OnSnapshotAsync<T>(string uri, CancellationToken request, Func<DocumentSnapshot, CancellationToken, T> work)
    {
        var document = RequireDocument(uri);
        var token = WorkToken(uri, request);
        using var foreground = _foreground.Enter(); // the Allocations view's scan waits while this runs
        try
        {
            if (WorkStarted is { } hook) await hook(uri).ConfigureAwait(false);
            var clock = AnalysisHost.Timings ? Stopwatch.StartNew() : null;
            var snapshot = await _host.SnapshotAsync(document, token).ConfigureAwait(false);
            var snapshotMs = clock?.ElapsedMilliseconds;
            var result = await Task.Run(() => work(snapshot, token), token).ConfigureAwait(false);
            if (clock is not null) _log.Info($"timings: {Path.GetFileName(document.Path)} ({snapshot.Source.Split(' ')[0]}): snapshot {snapshotMs} ms, work {clock.ElapsedMilliseconds - snapshotMs} ms; GC so far: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections (gen 0/1/2), {GC.GetTotalPauseDuration().TotalMilliseconds:0} ms paused, {GC.GetTotalAllocatedBytes() >> 20} MB allocated");
            return result;
        }
        catch (OperationCanceledException) when (!request.IsCancellationRequested)
        {
            throw new JsonRpcException(ErrorCodes.ContentModified, "the document changed while the request was computed");
        }
    }

    /// <summary>
    /// Completed when the first inlay hints have been answered. A load through the build host
    /// (`ALLOCATION_LENS_BUILD_HOST`) waits for it (at most <see cref="FirstHintsGrace"/>): on a small machine
    /// the build host would otherwise take the cores the first hints need (ImageSharp, 2 cores: 1.8 s, see
    /// bench/README). The in-process load does not wait: it runs beside the first hints.
    /// </summary>
    private readonly TaskCompletionSource _firstHintsAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly TimeSpan FirstHintsGrace = TimeSpan.FromSeconds(2);

    private async Task<object?> InlayHintsAsync(JsonElement? parameters, CancellationToken ct)
    {
        try { return await ComputeInlayHintsAsync(parameters, ct).ConfigureAwait(false); }
        finally { _firstHintsAnswered.TrySetResult(); }
    }

    /// <summary>The document and range the editor last asked hints for: where the user looks, and will type.</summary>
    private volatile HintRequest? _lastHintRequest;

    private sealed record HintRequest(string Uri, Range Range);

    /// <summary>
    /// Once the projects have loaded and the editor has asked for the loaded hints, rehearses the
    /// keystroke path on the document it looks at (<see cref="EditPathWarmUp"/>), while it is idle.
    /// </summary>
    private async Task WarmUpEditPathAsync()
    {
        if (Environment.GetEnvironmentVariable(EditPathWarmUp.DisableVariable) is { Length: > 0 }) return;
        await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false); // the refreshed hints first
        if (_lastHintRequest is not { } last || _documents.Get(last.Uri) is not { } document) return;
        var snapshot = await _host.SnapshotAsync(document, CancellationToken.None).ConfigureAwait(false);
        await EditPathWarmUp.RunLoggedAsync(snapshot, DocumentStore.ToSpan(snapshot.Document.Text, last.Range, out _), _foreground, _log, CancellationToken.None).ConfigureAwait(false);
    }

    private Task<object?> ComputeInlayHintsAsync(JsonElement? parameters, CancellationToken ct)
    {
        var args = Json.Params<InlayHintParams>(parameters);
        _lastHintRequest = new HintRequest(args.TextDocument.Uri, args.Range);
        return OnSnapshotAsync<object?>(args.TextDocument.Uri, ct, (snapshot, token) =>
        {
            var span = DocumentStore.ToSpan(snapshot.Document.Text, args.Range, out _);
            var clock = AnalysisHost.Timings ? Stopwatch.StartNew() : null;
            var sites = _host.Analyze(snapshot, span, token);
            var analyzedMs = clock?.ElapsedMilliseconds;
            var uri = args.TextDocument.Uri;
            var hints = sites.Where(s => s.Where.Span.End >= span.Start && s.Where.Span.End <= span.End)
                .Select(s => { var (jit, runtimes) = JitOf(uri, s); return SiteRendering.Hint(s, jit, snapshot.Runtime.Moniker, runtimes, MeasuredFor(snapshot, s)); })
                .Concat(CallSummaryHintsIn(snapshot, span, token)).ToArray();
            if (clock is not null) _log.Info($"timings: hints for {Path.GetFileName(snapshot.Document.Path)}: sites {analyzedMs} ms, rendered with call summaries {clock.ElapsedMilliseconds - analyzedMs} ms");
            return hints;
        });
    }

    private Task<object?> HoverAsync(JsonElement? parameters, CancellationToken ct)
    {
        var args = Json.Params<TextDocumentPositionParams>(parameters);
        return OnSnapshotAsync<object?>(args.TextDocument.Uri, ct, (snapshot, token) =>
        {
            var site = SiteAt(snapshot, args.Position, token);
            // The name of a call to a source method: what the call allocates; of a parameter: whether it escapes.
            var summary = SummaryHover(snapshot, args.TextDocument.Uri, DocumentStore.ToOffset(snapshot.Document.Text, args.Position, out _), token);
            if (site is null) return summary is { } only ? new Hover(new MarkupContent("markdown", only.Markdown), only.Range) : null;
            var (jit, runtimes) = JitOf(args.TextDocument.Uri, site);
            var inPlay = snapshot.OtherRuntimes.IsEmpty ? [] : _host.OtherRuntimes(snapshot, site, inPlayOnly: true, token);
            var markdown = SiteRendering.HoverMarkdown(site, args.TextDocument.Uri, snapshot.Source, jit, snapshot.Runtime.Moniker, runtimes, inPlay, MeasuredFor(snapshot, site));
            if (summary is { } extra) markdown += "\n\n---\n\n" + extra.Markdown;
            return new Hover(new MarkupContent("markdown", markdown), SiteRendering.RangeOf(site));
        });
    }

    private AllocationSite? SiteAt(DocumentSnapshot snapshot, Position position, CancellationToken token)
    {
        int offset = DocumentStore.ToOffset(snapshot.Document.Text, position, out _);
        var sites = _host.Analyze(snapshot, new Microsoft.CodeAnalysis.Text.TextSpan(offset, 0), token);
        // The innermost site containing the position (its hint sits at the span's end, so include it).
        return sites.Where(s => s.Where.Span.Start <= offset && offset <= s.Where.Span.End)
                    .OrderBy(s => s.Where.Span.Length).FirstOrDefault();
    }

    private Task<object?> ExecuteCommandAsync(JsonElement? parameters, CancellationToken ct)
    {
        var args = Json.Params<ExecuteCommandParams>(parameters);
        if (args.Command == VerifyCommand) return VerifyWithJitAsync(args.Arguments, args.WorkDoneToken is { ValueKind: JsonValueKind.String } t ? t.GetString() : null, ct);
        if (args.Command == MeasureCommand) return MeasureAsync(args.Arguments, args.WorkDoneToken is { ValueKind: JsonValueKind.String } m ? m.GetString() : null, ct);
        if (args.Command != SiteRendering.ExplainCommand)
            throw new JsonRpcException(ErrorCodes.InvalidParams, $"unknown command: {args.Command}");
        if (args.Arguments is not [var uriElement, var positionElement, ..] || uriElement.ValueKind != JsonValueKind.String)
            throw new JsonRpcException(ErrorCodes.InvalidParams, "explain takes [documentUri, position]");
        var uri = uriElement.GetString()!;
        var position = Json.Params<Position>(positionElement);
        return OnSnapshotAsync<object?>(uri, ct, (snapshot, token) =>
        {
            int offset = DocumentStore.ToOffset(snapshot.Document.Text, position, out _);
            var line = snapshot.Document.Text.Lines.GetLineFromPosition(offset);
            var onLine = _host.Analyze(snapshot, line.Span, token).Where(s => s.Where.Line == line.LineNumber).ToList();
            var at = onLine.Where(s => s.Where.Span.Start <= offset && offset <= s.Where.Span.End).OrderBy(s => s.Where.Span.Length).FirstOrDefault();
            var chosen = at is not null ? [at] : onLine;
            var calls = ExplainCalls(snapshot, uri, offset, line, token);
            return new
            {
                sites = chosen.Select(s =>
                {
                    var (jit, runtimes) = JitOf(uri, s);
                    var fixes = QuickFixes.For(snapshot.Compilation, snapshot.Tree, s.Where.Span, snapshot.Runtime, token)
                        .Select(f => CodeActions.FixRendering.Button(f, uri, snapshot.Document.Text)).ToArray();
                    return SiteRendering.Explain(s, uri, snapshot.Source, _host.OtherRuntimes(snapshot, s, inPlayOnly: false, token), jit, snapshot.Runtime.Moniker, runtimes, fixes, MeasuredFor(snapshot, s));
                }).ToArray(),
                // "Calls that allocate": the calls on the line, or every call of the method on its declaration line.
                calls,
                message = chosen.Count == 0 && calls.Length == 0 ? "No allocation-looking expression at the cursor or on its line." : null,
            };
        });
    }

    /// <summary>
    /// textDocument/codeAction: the quick fixes whose expression intersects the requested range, each a
    /// CodeAction with its WorkspaceEdit. Computed on a snapshot like hover, and only here (and for the
    /// Explain panel), never while hints are computed.
    /// </summary>
    private Task<object?> CodeActionsAsync(JsonElement? parameters, CancellationToken ct)
    {
        var args = Json.Params<CodeActionParams>(parameters);
        if (args.Context?.Only is { Length: > 0 } only && !only.Any(k => k == CodeActions.FixRendering.QuickFixKind || CodeActions.FixRendering.QuickFixKind.StartsWith(k + ".", StringComparison.Ordinal)))
            return Task.FromResult<object?>(Array.Empty<object>());
        var uri = args.TextDocument.Uri;
        return OnSnapshotAsync<object?>(uri, ct, (snapshot, token) =>
        {
            var span = DocumentStore.ToSpan(snapshot.Document.Text, args.Range, out _);
            return QuickFixes.For(snapshot.Compilation, snapshot.Tree, span, snapshot.Runtime, token)
                .Select(f => CodeActions.FixRendering.CodeAction(f, uri, snapshot.Document.Text))
                .Concat(CodeActions.BudgetExplainActions.For(args.Context?.Diagnostics ?? [], uri)).ToArray();
        });
    }
}
