using Microsoft.Diagnostics.NETCore.Client;

namespace AllocationLens.Measurement;

/// <summary>
/// Which .NET processes on the machine belong to a measured run. Every .NET process publishes a default
/// diagnostic port, so the run's processes are found among all published ones by a marker variable every
/// child inherits: on Linux read from /proc (with the parent chain as a second way, for a child that clears
/// its environment), which needs nothing from the process; elsewhere through the process's diagnostic port.
/// A process that is not the run's is never touched further. A run's process that neither way finds (a
/// daemon that clears its environment and leaves its parent) would wait suspended: none of `dotnet test`'s does.
/// </summary>
internal sealed class RunMembership(int rootProcessId, string markerName, string markerValue)
{
    public bool Contains(int processId)
    {
        if (processId == rootProcessId) return true;
        if (!IsProcess(processId)) return false;
        if (OperatingSystem.IsLinux()) return HasMarker(processId) || HasAncestor(processId, rootProcessId);
        try
        {
            return new DiagnosticsClient(processId).GetProcessEnvironment().TryGetValue(markerName, out var value) && value == markerValue;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether the id is a process's rather than a thread's. On Linux /proc/TID exists for every thread too (unlisted),
    /// and reads as its process's environment, command line and parent: a stale diagnostic port whose number a
    /// thread of the run reuses must not read as a process of the run (its session would fail, and killing the
    /// "process" by that id kills the thread's whole process). Elsewhere every id is a process's.
    /// </summary>
    internal static bool IsProcess(int id)
    {
        if (!OperatingSystem.IsLinux()) return true;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{id}/status"))
                if (line.StartsWith("Tgid:", StringComparison.Ordinal))
                    return int.TryParse(line.AsSpan(5).Trim(), out var group) && group == id;
            return true;
        }
        catch (IOException) { return true; }
        catch (UnauthorizedAccessException) { return true; }
    }

    /// <summary>Whether /proc/PID/environ (NUL-separated NAME=VALUE entries) holds the run's marker.</summary>
    private bool HasMarker(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/environ").Split('\0').Contains($"{markerName}={markerValue}", StringComparer.Ordinal); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>Walks /proc/PID/stat's parent field up to init.</summary>
    private static bool HasAncestor(int processId, int ancestor)
    {
        for (int pid = processId, steps = 0; pid > 1 && steps < 64; steps++)
        {
            if (ParentOf(pid) is not { } parent) return false;
            if (parent == ancestor) return true;
            pid = parent;
        }
        return false;
    }

    private static int? ParentOf(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
        int close = stat.LastIndexOf(')');
        if (close < 0) return null;
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 && int.TryParse(fields[1], out var parent) ? parent : null;
    }
}
