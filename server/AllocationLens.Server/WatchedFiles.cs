using System.Text.Json;
using AllocationLens.Protocol;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>
/// workspace/didChangeWatchedFiles: files changed on disk outside the editor (a checkout, a generator, a
/// formatter) reach the loaded solution. The server asks the client to watch the files that matter
/// (dynamic registration, <see cref="Watchers"/>); events are collected until they pause for
/// <see cref="WatchedFilesDelay"/> and then settled as one batch against the disk (<see cref="DiskChanges"/>),
/// so a branch switch touching 500 files is one update, not 500. Open documents keep the editor's text.
/// After a batch everything derived is asked for again: hints and code lenses (refresh requests), budgets
/// (publishDiagnostics) and the Allocations view (allocationLens/workspaceChanged). A file that cannot be
/// read or a project that does not load keeps its previous state, and the log says why.
/// </summary>
public sealed partial class LanguageServer
{
    /// <summary>Sent after changes on disk were applied: the client's Allocations view lists the workspace again.</summary>
    public const string WorkspaceChangedNotification = "allocationLens/workspaceChanged";

    /// <summary>
    /// What the client watches: sources, project and build files, restore outputs, budgets, and any
    /// folder created or deleted (a folder deleted or moved is reported once, not per file in it).
    /// </summary>
    public static readonly object[] Watchers =
    [
        new { globPattern = "**/*.cs" },
        new { globPattern = "**/*.csproj" },
        new { globPattern = "**/Directory.Build.{props,targets}" },
        new { globPattern = "**/Directory.Packages.props" },
        new { globPattern = "**/global.json" },
        new { globPattern = "**/.editorconfig" },
        new { globPattern = "**/project.assets.json" },
        new { globPattern = "**/" + BudgetConfiguration.FileName },
        new { globPattern = "**/*", kind = 1 | 4 }, // created and deleted only: folders
    ];

    /// <summary>How long file events must pause before the batch is applied.</summary>
    public TimeSpan WatchedFilesDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Reads a changed file (tests replace it to make a file unreadable).</summary>
    public Func<string, SourceText> ReadFile { get; init; } = ReadFromDisk;

    /// <summary>How many batches of changes on disk changed the solution (tests: a branch switch is one).</summary>
    public int DiskBatchesApplied { get; private set; }

    /// <summary>How many project files batches of changes on disk loaded again.</summary>
    public int DiskProjectLoads { get; private set; }

    private bool _clientRegistersWatchers;
    private readonly HashSet<string> _pendingFiles = new(StringComparer.Ordinal);
    private CancellationTokenSource? _filesDebounce;
    private readonly SemaphoreSlim _oneDiskBatch = new(1, 1);

    private void ReadWatchCapability(JsonElement capabilities) =>
        _clientRegistersWatchers = capabilities.TryGetProperty("workspace", out var ws) && ws.TryGetProperty("didChangeWatchedFiles", out var w)
            && w.TryGetProperty("dynamicRegistration", out var d) && d.ValueKind == JsonValueKind.True;

    /// <summary>Asks the client to watch <see cref="Watchers"/> and report them with workspace/didChangeWatchedFiles.</summary>
    private async Task RegisterFileWatchersAsync()
    {
        if (!_clientRegistersWatchers) return;
        try
        {
            var response = await _connection.RequestAsync("client/registerCapability", new
            {
                registrations = new[] { new { id = "allocation-lens-watched-files", method = "workspace/didChangeWatchedFiles", registerOptions = new { watchers = Watchers } } },
            }).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (Exception ex) { _log.Warning($"could not ask the editor to watch files ({ex.Message}): changes on disk are seen after a restart"); }
    }

    private void OnDidChangeWatchedFiles(JsonElement? parameters)
    {
        var args = Json.Params<DidChangeWatchedFilesParams>(parameters);
        lock (_pendingFiles)
        {
            foreach (var change in args.Changes ?? [])
                if (Uri.TryCreate(change.Uri, UriKind.Absolute, out var uri) && uri.IsFile) _pendingFiles.Add(Path.GetFullPath(uri.LocalPath));
        }
        ScheduleDiskBatch();
    }

    /// <summary>At most this many unknown files of an opened file's folder are settled with it.</summary>
    private const int MaxUnknownNeighbours = 500;

    /// <summary>
    /// Settles a file the editor opened that no loaded project holds, with the other C# files of its folder
    /// that none holds, as if the watcher had reported them created: the editor's file events can come late
    /// or not at all (its watcher throttles and coalesces under load), and a file it opens is on disk. Only
    /// files written since the load began: one the load saw and left out is left out by its project
    /// (`Compile Remove`), and stays loose. The batch then decides, as for any created file, which project
    /// includes them. Only under the workspace folder, the part the watcher covers; before the load ends
    /// the load reads the disk itself.
    /// </summary>
    private void SettleUnknownFileOnOpen(string uri)
    {
        if (_host.Workspace is not { } workspace || _root is null || _loadStartedUtc is not { } loadStarted) return;
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || !parsed.IsFile) return;
        var path = Path.GetFullPath(parsed.LocalPath);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(_root)) + Path.DirectorySeparatorChar;
        if (!path.StartsWith(root, StringComparison.Ordinal) || !Unseen(path)) return;
        var unknown = new List<string> { path };
        try
        {
            if (Path.GetDirectoryName(path) is { } folder)
                unknown.AddRange(Directory.EnumerateFiles(folder, "*.cs").Select(Path.GetFullPath).Where(p => p != path && Unseen(p)).Take(MaxUnknownNeighbours));
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        lock (_pendingFiles) foreach (var file in unknown) _pendingFiles.Add(file);
        ScheduleDiskBatch();

        bool Unseen(string file) => workspace.Solution.GetDocumentIdsWithFilePath(file).IsEmpty && File.GetLastWriteTimeUtc(file) >= loadStarted;
    }

    /// <summary>When the workspace load began (UTC): files written since then may be missing from it.</summary>
    private DateTime? _loadStartedUtc;

    /// <summary>
    /// The longest a batch waits for events to pause: a build that writes files without pause (obj/) must
    /// not hold back a source change for as long as it runs.
    /// </summary>
    private static readonly TimeSpan MaxBatchWait = TimeSpan.FromSeconds(2);
    /// <summary>When the first event of the batch being collected arrived (Stopwatch timestamp), 0 when none.</summary>
    private long _batchStarted;

    private void ScheduleDiskBatch()
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        long started = Interlocked.CompareExchange(ref _batchStarted, now, 0);
        if (started != 0 && System.Diagnostics.Stopwatch.GetElapsedTime(started) > MaxBatchWait) return; // the pending timer fires as it is
        var cts = new CancellationTokenSource();
        Interlocked.Exchange(ref _filesDebounce, cts)?.Cancel();
        _ = Task.Delay(WatchedFilesDelay, cts.Token).ContinueWith(t => { if (!t.IsCanceled) _ = ApplyDiskBatchAsync(); }, TaskScheduler.Default);
    }

    /// <summary>
    /// Applies the files collected so far, one batch at a time. Before the workspace has loaded they wait
    /// (the load ends by applying them: it may have read a file before it changed); when no load will come
    /// (untrusted, no project) only budgets matter.
    /// </summary>
    private async Task ApplyDiskBatchAsync()
    {
        await _oneDiskBatch.WaitAsync().ConfigureAwait(false);
        Interlocked.Exchange(ref _batchStarted, 0);
        try
        {
            var workspace = _host.Workspace;
            bool loadPending = workspace is null && _host.LoadProblem is null && LoadProjects;
            string[] paths;
            lock (_pendingFiles)
            {
                paths = [.. _pendingFiles.Where(p => !loadPending || WatchedFile.At(p).Kind == WatchedFileKind.Budgets)];
                foreach (var path in paths) _pendingFiles.Remove(path);
            }
            if (paths.Length == 0) return;
            bool changed = false;
            if (workspace is not null)
            {
                var root = _root;
                // A project or build file loads projects again: requests meanwhile keep to one core, as during the first load.
                using var reloading = paths.Any(p => WatchedFile.At(p).Kind is WatchedFileKind.Project or WatchedFileKind.BuildInput or WatchedFileKind.RestoreOutput)
                    ? _host.LoadRunning() : null;
                var plan = await DiskChanges.PlanAsync(workspace, paths, ReadFile,
                    project => root is not null && WorkspaceLoader.Resolve(root).Contains(project, StringComparer.Ordinal), DesignTimeCache, line => _log.Info(line), CancellationToken.None).ConfigureAwait(false);
                DiskProjectLoads += plan.ProjectLoads;
                foreach (var problem in plan.Problems) _log.Warning($"change on disk: {problem}");
                if (!plan.IsEmpty && _host.ApplyDiskChanges(workspace, plan, _documents.All))
                {
                    changed = true;
                    DiskBatchesApplied++;
                    _log.Info($"Applied {paths.Length} change(s) on disk" + (plan.ProjectLoads > 0 ? $", {plan.ProjectLoads} project(s) loaded again" : ""));
                }
            }
            if (!changed && !paths.Any(p => WatchedFile.At(p).Kind == WatchedFileKind.Budgets)) return;
            foreach (var document in _documents.All) ScheduleBudgetCheck(document.Uri);
            await _connection.NotifyAsync(WorkspaceChangedNotification, new { files = paths.Length }).ConfigureAwait(false);
            await RefreshHintsAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Never a crash: the solution is only replaced once a whole batch is planned, so it is as before.
            _log.Error($"Changes on disk could not be applied ({ex.GetType().Name}: {ex.Message}); the previous state is kept.");
        }
        finally { _oneDiskBatch.Release(); }
    }

    /// <summary>A file's text as the compiler reads it (encoding from its byte order mark, else UTF-8).</summary>
    private static SourceText ReadFromDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return SourceText.From(stream, encoding: null, checksumAlgorithm: SourceHashAlgorithm.Sha256);
    }
}
