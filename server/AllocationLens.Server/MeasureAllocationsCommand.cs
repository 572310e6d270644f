using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AllocationLens.Analysis;
using AllocationLens.Protocol;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>
/// "Allocation Lens: Measure allocations" (workspace/executeCommand `allocationLens.measureRun`, arguments
/// [] for every test of the workspace, or [{ path?, filter?, title? }]: a project or folder, and a
/// `dotnet test --filter` expression for one test or one class, as the test CodeLens passes them).
/// It runs `allocation-lens measure PATH --format json` in a child process (the run's build, tests and
/// trace reading never share the server's memory or fate), records the measurements per member
/// fingerprint (<see cref="MeasuredSites"/>), saves them for the workspace, and refreshes hints, lenses
/// and the view. Only in a trusted workspace; one run at a time; cancelling stops the child and every
/// process of its run (SIGTERM, then the whole tree after a grace period), and so does the time limit.
/// </summary>
public sealed partial class LanguageServer
{
    public const string MeasureCommand = "allocationLens.measureRun";

    private readonly MeasuredSites _measured = new();
    private int _measuring;

    /// <summary>How to start `allocation-lens` (tests point it at the built CLI); by default this very process's program.</summary>
    public IReadOnlyList<string>? MeasureCommandLine { get; init; }

    /// <summary>Where the workspace's measurements are saved (null: derived from the folder under the user's cache; "" turns saving off).</summary>
    public string? MeasurementsFile { get; init; }

    /// <summary>The measured run's time limit, passed to `measure --timeout` (the child is killed a minute after it, whatever it does).</summary>
    public TimeSpan MeasureTimeout { get; set; } = TimeSpan.FromMinutes(20);

    private string? MeasurementsPath()
    {
        if (MeasurementsFile is { } chosen) return chosen.Length == 0 ? null : chosen;
        if (_root is null || Workspace.DesignTimeCache.UserCacheRoot() is not { } cache) return null;
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(_root))))[..16].ToLowerInvariant();
        return Path.Combine(cache, "measurements", key + ".json");
    }

    /// <summary>Finds the last run's measurements of this workspace (they hold only for members unchanged since).</summary>
    private void LoadMeasurements()
    {
        if (MeasurementsPath() is not { } file) return;
        if (_measured.Load(file) is { } problem) _log.Warning($"measurements: {problem}");
        else if (_measured.Run is { } run) _log.Info($"Measurements of the last run found ({run.Command}); they apply to the members unchanged since.");
    }

    private async Task<object?> MeasureAsync(JsonElement[]? arguments, string? progressToken, CancellationToken cancellationToken)
    {
        if (!_trusted)
            return Failed("Measure allocations builds and runs this workspace's tests, so it only runs in a trusted workspace. Trust the folder to use it.");
        if (_root is null || !Directory.Exists(_root)) return Failed("Open a folder with a test project to measure its allocations.");
        string target = _root, filter = "", title = "the tests of the workspace";
        if (arguments is [{ ValueKind: JsonValueKind.Object } options, ..])
        {
            if (options.TryGetProperty("path", out var p) && p.GetString() is { Length: > 0 } path) target = UriPaths.ToPath(path.Contains("://") ? path : UriPaths.ToUri(path));
            if (options.TryGetProperty("filter", out var f) && f.GetString() is { Length: > 0 } chosen) filter = chosen;
            if (options.TryGetProperty("title", out var t) && t.GetString() is { Length: > 0 } named) title = named;
        }
        if (!File.Exists(target) && !Directory.Exists(target)) return Failed($"Nothing to measure at {target}.");
        if (Interlocked.Exchange(ref _measuring, 1) == 1) return Failed("A measurement is already running: wait for it, or cancel it first.");
        try
        {
            var unsaved = _documents.All.Where(d => !SameAsDisk(d)).Select(d => Path.GetFileName(d.Path)).ToList();
            var token = await BeginProgressAsync($"Allocation Lens: measuring {title}", progressToken).ConfigureAwait(false);
            var started = DateTimeOffset.UtcNow;
            ChildOutcome outcome;
            try { outcome = await RunMeasureAsync(target, filter, line => _ = ReportProgressAsync(token, Shorten(line)), cancellationToken).ConfigureAwait(false); }
            catch (OperationCanceledException)
            {
                await EndProgressAsync(token, "cancelled").ConfigureAwait(false);
                throw;
            }
            await EndProgressAsync(token, outcome.Document is null ? "failed" : "done").ConfigureAwait(false);
            if (outcome.Document is not { } document)
                return Failed($"Measure allocations failed: {outcome.Problem}");

            var notes = _measured.Record(document.RootElement, _root, started, ReadDisk);
            document.Dispose();
            lock (_closedResults) _closedResults.Clear(); // the view's closed documents now carry measurements
            if (MeasurementsPath() is { } file)
            {
                try { _measured.Save(file); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { notes = [.. notes, $"the measurements could not be saved ({e.Message})"]; }
            }
            _ = RefreshHintsAsync();
            await _connection.NotifyAsync("allocationLens/measured", new { }).ConfigureAwait(false);
            var run = _measured.Run!;
            var message = $"Measured {title}: ~{Measurement.MeasuredFormat.Bytes(run.SiteBytes)} at {run.MeasuredSites} site(s), ~{Measurement.MeasuredFormat.Bytes(run.UnexplainedBytes)} unexplained, ~{Measurement.MeasuredFormat.Bytes(run.OutsideBytes)} outside your code (sampled; {run.Command})"
                + (outcome.Warning is { } warning ? $". {warning}" : "")
                + (unsaved.Count > 0 ? $". Unsaved changes in {string.Join(", ", unsaved.Take(3))}{(unsaved.Count > 3 ? ", ..." : "")} were not measured: the run builds what is on disk" : "")
                + string.Concat(notes.Select(n => $"; {n}"));
            return new { ok = true, message, sites = run.MeasuredSites, bytes = run.SiteBytes, unexplained = run.UnexplainedBytes };
        }
        finally { Volatile.Write(ref _measuring, 0); }
    }

    private static string? ReadDisk(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    private static bool SameAsDisk(OpenDocument document) =>
        ReadDisk(document.Path) is { } disk && string.Equals(disk.ReplaceLineEndings("\n"), document.Text.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);

    /// <summary>`dotnet test`'s result lines ("Passed!  - Failed: 0, Passed: 9, ..."), and a failed build's errors.</summary>
    private static bool IsRunnerSummary(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.StartsWith("Passed!", StringComparison.Ordinal) || trimmed.StartsWith("Failed!", StringComparison.Ordinal)
            || trimmed.StartsWith("Test Run Aborted", StringComparison.Ordinal) || trimmed.Contains(": error ", StringComparison.Ordinal);
    }

    private static string Shorten(string line) => line.Length <= 120 ? line : line[..117] + "...";

    private sealed record ChildOutcome(JsonDocument? Document, string? Problem, string? Warning);

    /// <summary>Runs `allocation-lens measure` and reads its JSON; every way it can go wrong comes back as a problem, never as an exception (cancellation aside).</summary>
    private async Task<ChildOutcome> RunMeasureAsync(string target, string filter, Action<string> progress, CancellationToken cancellationToken)
    {
        var commandLine = MeasureCommandLine ?? OwnCommandLine();
        var start = new ProcessStartInfo(commandLine[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = _root!,
        };
        foreach (var arg in commandLine.Skip(1)) start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "measure", target, "--format", "json", "--timeout", ((int)MeasureTimeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(arg);
        if (filter.Length > 0) { start.ArgumentList.Add("--filter"); start.ArgumentList.Add(filter); }
        // The child stops its run when this server dies, even killed outright: nothing of the run outlives it.
        start.Environment["ALLOCATION_LENS_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var process = new Process { StartInfo = start };
        var lastLines = new Queue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not { Length: > 0 } line) return;
            lock (lastLines) { lastLines.Enqueue(line); if (lastLines.Count > 5) lastLines.Dequeue(); }
            // The log and the progress get `measure`'s own lines and the test runner's summaries; the build's and
            // the runner's other chatter (hundreds of lines on a real solution) stays out of the editor's log.
            if (line.StartsWith("allocation-lens: ", StringComparison.Ordinal))
            {
                _log.Info($"measure: {line}");
                progress(line["allocation-lens: ".Length..]);
            }
            else if (IsRunnerSummary(line))
            {
                _log.Info($"measure: {line.Trim()}");
                progress(line.Trim());
            }
        };
        try { process.Start(); }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new ChildOutcome(null, $"could not start {commandLine[0]} ({e.Message})", null);
        }
        process.StandardInput.Close();
        process.BeginErrorReadLine();
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        using var watchdog = new CancellationTokenSource(MeasureTimeout + TimeSpan.FromMinutes(1));
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token);
        try { await process.WaitForExitAsync(linked.Token).ConfigureAwait(false); }
        catch (OperationCanceledException)
        {
            await StopAsync(process).ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested) throw;
            return new ChildOutcome(null, $"the run did not end within {MeasureTimeout.TotalMinutes:0} minutes and was stopped", null);
        }
        string json = await output.ConfigureAwait(false);
        string tail; lock (lastLines) tail = string.Join(" ", lastLines);
        if (process.ExitCode is not (0 or 1) || json.Length == 0)
            return new ChildOutcome(null, process.ExitCode == 130 ? "cancelled" : $"{tail} (exit code {process.ExitCode})", null);
        try
        {
            var document = JsonDocument.Parse(json);
            string? warning = process.ExitCode == 1 ? tail : null;
            return new ChildOutcome(document, null, warning);
        }
        catch (JsonException e) { return new ChildOutcome(null, $"its report could not be read ({e.Message}); {tail}", null); }
    }

    /// <summary>
    /// Stops the child the way Ctrl+C would (it then stops every process of its run and exits), and the
    /// whole process tree if it has not exited after a grace period.
    /// </summary>
    private static async Task StopAsync(Process process)
    {
        try
        {
            if (process.HasExited) return;
            if (!OperatingSystem.IsWindows()) _ = SendTerminate(process.Id, 15);
            else process.Kill(entireProcessTree: true);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try { await process.WaitForExitAsync(grace.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
        }
        catch (InvalidOperationException) { /* it exited meanwhile */ }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendTerminate(int pid, int signal);

    /// <summary>`allocation-lens` as this process was started: the app host, or `dotnet allocation-lens.dll`.</summary>
    private static IReadOnlyList<string> OwnCommandLine()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var name = Path.GetFileNameWithoutExtension(host);
        return name.Equals("dotnet", StringComparison.OrdinalIgnoreCase) && System.Reflection.Assembly.GetEntryAssembly()?.Location is { Length: > 0 } dll
            ? [host, dll] : [host];
    }

    /// <summary>The last run's state for a site of an open document.</summary>
    private SiteMeasured? MeasuredFor(DocumentSnapshot snapshot, AllocationSite site) =>
        _measured.HasAny ? MeasuredOf(snapshot.Document.Path, snapshot.Tree.GetRoot(), snapshot.Document.Text, site) : null;

    /// <summary>The last run's state for a site, with the run's disagreement where there is one; null when nothing applies.</summary>
    private SiteMeasured? MeasuredOf(string path, SyntaxNode root, SourceText text, AllocationSite site) =>
        _measured.HasAny && _measured.Lookup(path, root, text, site) is { } entry ? new SiteMeasured(entry, _measured.Run, entry.Disagreement) : null;
}
