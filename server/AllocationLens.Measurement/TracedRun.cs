using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Diagnostics.NETCore.Client;

namespace AllocationLens.Measurement;

/// <summary>
/// Runs a command with every .NET process it starts suspended on its default diagnostic port
/// (DOTNET_DefaultDiagnosticPortSuspend, inherited by child processes: `dotnet test` starts vstest and a
/// test host, and each of them waits) until its EventPipe session is recording, so start-up allocations
/// count and every method's compilation is seen. The package's reversed diagnostic server (one port that
/// every process connects to) is not public API, so new processes are found among the published default
/// ports instead (<see cref="RunMembership"/>). The child's stdout and stderr go to <c>output</c> (our stdout carries only the report).
/// It ends when the command exits, times out or is cancelled; then the whole process tree is killed,
/// and so is every process that connected and still runs: a run never leaves a process behind.
/// </summary>
public static class TracedRun
{
    /// <summary>How long recordings may take to drain after the command exits (a process's last buffers).</summary>
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(15);

    public static Task<TracedRunResult> RunAsync(ProcessStartInfo start, string traceFolder, TimeSpan timeout, Action<string> output, CancellationToken cancellationToken) =>
        RunAsync(start, traceFolder, timeout, output, userAssemblies: null, cancellationToken);

    /// <param name="userAssemblies">The user's assembly names: a process whose command line names none is recorded without the JIT's events (<see cref="RecordingDepth"/>); null records every process in full.</param>
    public static async Task<TracedRunResult> RunAsync(ProcessStartInfo start, string traceFolder, TimeSpan timeout, Action<string> output,
        IReadOnlySet<string>? userAssemblies, CancellationToken cancellationToken)
    {
        var depth = new RecordingDepth(userAssemblies);
        Directory.CreateDirectory(traceFolder);
        var problems = new ConcurrentQueue<string>();
        var marker = Guid.NewGuid().ToString("N");
        using var stopAccepting = new CancellationTokenSource();
        using var stopRecording = new CancellationTokenSource();
        var recordings = new ConcurrentQueue<Task<TracedProcess?>>();
        var connected = new ConcurrentDictionary<int, bool>();
        // Processes that were there before the run are never the run's.
        var seen = new HashSet<int>(SafePublished().Where(RunMembership.IsProcess));

        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        // Each .NET process of the run waits on its default diagnostic port until we resume it.
        start.Environment["DOTNET_DefaultDiagnosticPortSuspend"] = "1";
        start.Environment[MarkerVariable] = marker;
        // MSBuild nodes left for reuse would outlive the run (and hold our port's variable).
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            return new TracedRunResult(null, false, false, [], [$"could not start {start.FileName}: {ex.Message}"]);
        }

        // New .NET processes of the run are looked for until the run ends; each waits suspended until found.
        var membership = new RunMembership(process.Id, MarkerVariable, marker);
        var accepting = Task.Run(async () =>
        {
            while (!stopAccepting.IsCancellationRequested)
            {
                foreach (var pid in SafePublished())
                {
                    // A stale port (a process killed before it could remove it) is published again as soon as its
                    // number is reused, by a process or by a thread: a thread is never a process of the run, and is
                    // looked at again later, since its number may yet be reused by one.
                    if (seen.Contains(pid) || !RunMembership.IsProcess(pid)) continue;
                    seen.Add(pid);
                    if (!membership.Contains(pid)) continue;
                    connected[pid] = true;
                    recordings.Enqueue(ProcessRecording.RecordAsync(pid, traceFolder, depth.IsLight(pid), problems.Enqueue, stopRecording.Token));
                }
                try { await Task.Delay(PollInterval, stopAccepting.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        });
        bool timedOut = false, cancelled = false;
        int? exitCode = null;
        using (process)
        {
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) output(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.StandardInput.Close();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
                exitCode = process.ExitCode;
            }
            catch (OperationCanceledException)
            {
                cancelled = cancellationToken.IsCancellationRequested;
                timedOut = !cancelled;
                KillTree(process, problems);
            }
        }

        // The command is gone; its recordings end as their processes exit. Whatever still runs after the
        // drain (an orphaned test host, a hung child) is killed, and its recording is cut.
        var drained = Task.WhenAll(recordings.ToArray());
        if (await Task.WhenAny(drained, Task.Delay(timedOut || cancelled ? TimeSpan.FromSeconds(2) : Drain, CancellationToken.None)).ConfigureAwait(false) != drained)
        {
            foreach (var pid in connected.Keys) KillIfRunning(pid, problems);
        }
        stopAccepting.Cancel();
        await accepting.ConfigureAwait(false);
        // Processes that connected while we were stopping are recorded too until they end or are killed.
        foreach (var pid in connected.Keys) KillIfRunning(pid, problems);
        // A recording whose process is gone ends by itself; one that does not within seconds is cut.
        await Task.WhenAny(Task.WhenAll(recordings.ToArray()), Task.Delay(TimeSpan.FromSeconds(5), CancellationToken.None)).ConfigureAwait(false);
        if (!recordings.All(r => r.IsCompleted)) stopRecording.Cancel();
        var traces = new List<TracedProcess>();
        foreach (var recording in recordings)
        {
            try { if (await recording.ConfigureAwait(false) is { } traced) traces.Add(traced); }
            catch (Exception ex) { problems.Enqueue($"a recording failed: {ex.Message}"); }
        }
        return new TracedRunResult(exitCode, timedOut, cancelled, traces, problems.ToList());
    }

    private const string MarkerVariable = "ALLOCATION_LENS_MEASURED_RUN";

    /// <summary>How often new processes are looked for: a new process waits suspended until then.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    private static IEnumerable<int> SafePublished()
    {
        try { return DiagnosticsClient.GetPublishedProcesses().ToList(); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return []; }
    }

    private static void KillTree(Process process, ConcurrentQueue<string> problems)
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            problems.Enqueue($"could not kill process {SafeId(process)}: {ex.Message}");
        }
    }

    private static void KillIfRunning(int pid, ConcurrentQueue<string> problems)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            KillTree(process, problems);
        }
        catch (ArgumentException) { } // already gone
        catch (InvalidOperationException) { }
    }

    private static string SafeId(Process process)
    {
        try { return process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture); }
        catch (InvalidOperationException) { return "?"; }
    }
}
