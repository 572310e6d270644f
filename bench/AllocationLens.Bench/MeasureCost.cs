using System.Diagnostics;
using AllocationLens.Measurement;

namespace AllocationLens.Bench;

/// <summary>
/// What Measure costs, measured in one run. Overhead: `dotnet test PATH -c Release --no-build` plain against
/// the same under <see cref="TracedRun"/> followed by reading every process's trace (<see cref="TraceSamples"/>),
/// alternating, median of the rounds (the build and the static analysis are left out: `analyze` pays them
/// too). Memory: the peak working set of reading the traces of such a run (Linux resets the peak through
/// /proc/self/clear_refs first, so the figure is the reading's own). The user's code is the assemblies of
/// the projects under PATH (by project file name), as `measure` would take them.
/// </summary>
public static class MeasureCost
{
    public sealed record Round(double PlainMs, double RunMs, double ReadMs, long TraceBytes, int Processes);

    public static async Task<IReadOnlyList<Round>> OverheadAsync(string path, int rounds)
    {
        Build(path);
        var userModules = UserModules(path);
        var results = new List<Round>();
        for (int round = 0; round < rounds; round++)
        {
            var plain = Stopwatch.StartNew();
            using (var process = Process.Start(Test(path, redirect: true))!)
            {
                var drained = Task.WhenAll(process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
                await process.WaitForExitAsync();
                await drained;
            }
            plain.Stop();
            var (runMs, readMs, traceBytes, processes, _) = await MeasuredAsync(path, userModules, clearPeak: false);
            results.Add(new Round(plain.Elapsed.TotalMilliseconds, runMs, readMs, traceBytes, processes));
        }
        return results;
    }

    public sealed record MemoryResult(long TraceBytes, int Processes, double AllocatedBytes, long BaselineBytes, long PeakBytes, bool PeakIsTheReadings);

    public static async Task<MemoryResult> MemoryAsync(string path)
    {
        Build(path);
        var (_, _, traceBytes, processes, read) = await MeasuredAsync(path, UserModules(path), clearPeak: true);
        return read with { TraceBytes = traceBytes, Processes = processes };
    }

    private static async Task<(double RunMs, double ReadMs, long TraceBytes, int Processes, MemoryResult Memory)> MeasuredAsync(string path, HashSet<string> userModules, bool clearPeak)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"allocation-lens-bench-measure-{Environment.ProcessId}");
        try
        {
            var run = Stopwatch.StartNew();
            var traced = await TracedRun.RunAsync(Test(path, redirect: false), folder, TimeSpan.FromMinutes(20), _ => { }, userModules, CancellationToken.None);
            run.Stop();
            foreach (var problem in traced.Problems) Console.Error.WriteLine($"measure: {problem}");
            long traceBytes = traced.Traces.Sum(t => new FileInfo(t.TracePath).Length);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var self = Process.GetCurrentProcess();
            self.Refresh();
            long baseline = self.WorkingSet64;
            bool cleared = clearPeak && TryClearPeak();
            var read = Stopwatch.StartNew();
            double allocated = 0;
            foreach (var trace in traced.Traces)
            {
                var samples = TraceSamples.Read(trace, m => userModules.Contains(Path.GetFileNameWithoutExtension(m)), CancellationToken.None);
                allocated += samples.Groups.Sum(g => g.Bytes);
            }
            read.Stop();
            self.Refresh();
            return (run.Elapsed.TotalMilliseconds, read.Elapsed.TotalMilliseconds, traceBytes, traced.Traces.Count,
                new MemoryResult(traceBytes, traced.Traces.Count, allocated, baseline, self.PeakWorkingSet64, cleared));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Linux: writing 5 to /proc/self/clear_refs resets the peak resident set (VmHWM).</summary>
    private static bool TryClearPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
    }

    private static ProcessStartInfo Test(string path, bool redirect)
    {
        var start = new ProcessStartInfo("dotnet", ["test", path, "-c", "Release", "--no-build", "-nologo"])
        {
            RedirectStandardOutput = redirect,
            RedirectStandardError = redirect,
            UseShellExecute = false,
        };
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return start;
    }

    private static void Build(string path)
    {
        using var build = Process.Start(new ProcessStartInfo("dotnet", ["build", path, "-c", "Release", "-nologo", "-v", "quiet"]) { RedirectStandardOutput = true })!;
        build.StandardOutput.ReadToEnd();
        build.WaitForExit();
        if (build.ExitCode != 0) throw new InvalidOperationException($"dotnet build {path} failed");
    }

    private static HashSet<string> UserModules(string path)
    {
        var folder = Directory.Exists(path) ? path : Path.GetDirectoryName(path)!;
        return Directory.EnumerateFiles(folder, "*.csproj", SearchOption.AllDirectories).Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
    }
}
