using System.Diagnostics;

namespace AllocationLens.Cli;

/// <summary>
/// A `measure` the language server started stops with it: when the process named by
/// ALLOCATION_LENS_PARENT_PID is gone (exited, crashed, killed outright), the run is cancelled, which
/// stops every process of it. Without the variable it only passes the caller's token on.
/// </summary>
public static class ParentWatch
{
    public const string Variable = "ALLOCATION_LENS_PARENT_PID";

    public static CancellationTokenSource CancelWhenGone(string? parentPid, CancellationToken cancellationToken)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (!int.TryParse(parentPid, out var pid) || pid <= 0) return source;
        _ = Task.Run(async () =>
        {
            while (!source.IsCancellationRequested)
            {
                if (!IsAlive(pid)) { try { source.Cancel(); } catch (ObjectDisposedException) { } return; }
                try { await Task.Delay(TimeSpan.FromSeconds(2), source.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                catch (ObjectDisposedException) { return; }
            }
        });
        return source;
    }

    private static bool IsAlive(int pid)
    {
        try { using var process = Process.GetProcessById(pid); return !process.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
