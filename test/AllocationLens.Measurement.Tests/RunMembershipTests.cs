using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>
/// Which published diagnostic ports are processes of the run. A port left behind by a killed process is
/// published again once its number is reused, and on Linux a thread's id reads under /proc as its process
/// (environment, command line, parent): a thread of the run must not be taken for a process of it.
/// </summary>
public sealed class RunMembershipTests
{
    [Fact]
    public void A_thread_of_a_process_of_the_run_is_not_a_process_of_the_run()
    {
        if (!OperatingSystem.IsLinux()) return;
        // This test host stands for a process of the run: a child of the run's root (here: our parent).
        var stat = File.ReadAllText("/proc/self/stat");
        var parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        var membership = new RunMembership(parent, "ALLOCATION_LENS_MEASURED_RUN", "no-such-marker");
        using var started = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        int threadId = 0;
        var thread = new Thread(() => { threadId = Gettid(); started.Set(); done.Wait(); });
        thread.Start();
        started.Wait();
        try
        {
            Assert.NotEqual(Environment.ProcessId, threadId);
            Assert.True(Directory.Exists($"/proc/{threadId}"), "a thread's id reads under /proc");
            Assert.True(membership.Contains(Environment.ProcessId));
            Assert.False(RunMembership.IsProcess(threadId));
            Assert.False(membership.Contains(threadId));
        }
        finally
        {
            done.Set();
            thread.Join();
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "gettid")]
    private static extern int Gettid();
}
