namespace AllocationLens.Server;

/// <summary>
/// Work that only prepares (warm-ups) runs on a thread of its own at the lowest priority, so real work
/// wins every contest for a core: on Windows through the thread priority; on Linux, where .NET ignores
/// it, through the thread's nice value (raising it needs no privilege). Only for threads the caller owns:
/// a thread-pool thread would keep the priority for whatever runs on it next.
/// </summary>
public static class IdlePriority
{
    public static void LowerCurrentThread()
    {
        try { Thread.CurrentThread.Priority = ThreadPriority.Lowest; } catch (PlatformNotSupportedException) { }
        if (!OperatingSystem.IsLinux()) return;
        try { _ = SetPriority(0 /* PRIO_PROCESS: on Linux a thread id names one thread */, GetThreadId(), 19); }
        catch (DllNotFoundException) { }
        catch (EntryPointNotFoundException) { }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();
}
