using System.Diagnostics;
using AllocationLens.Server;
using AllocationLens.TestSupport;

namespace AllocationLens.Bench;

/// <summary>
/// A branch switch under a running server: a generated net10.0 project of 500 files (about 100 lines
/// each) is loaded, one file is open with its hints served; then every file is rewritten on disk and
/// reported as the editor does (workspace/didChangeWatchedFiles, in chunks of 100), eight times (there
/// and back, four times). Measured in one process: the managed heap after a full collection and the working set before
/// the switches and after each, with the open file's hints served again from the new texts; the time from
/// the first file event to the server's refresh, against the project's first load; and how many batches
/// the server made of the 500 events (one per switch is the target).
/// </summary>
public static class BranchSwitch
{
    /// <summary>One switch: the time from its first file event to the refresh, then the memory once the open file's hints were served again.</summary>
    public sealed record Switch(double SettleMs, long Managed, long WorkingSet);

    public sealed record Result(long ManagedBefore, long WorkingSetBefore, double LoadMs, IReadOnlyList<Switch> Switches, int Batches, int ProjectLoads);

    private const int Files = 500;
    /// <summary>There and back, four times: memory that stays where the first switch left it is bounded, not leaking.</summary>
    public const int Switches = 8;

    public static async Task<Result> RunAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "allocation-lens-branch-switch-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            File.WriteAllText(Path.Combine(root, "Switch.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup></Project>");
            File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />");
            var paths = Enumerable.Range(0, Files).Select(i => Path.Combine(root, $"File{i}.cs")).ToList();
            WriteBranch(paths, seed: 0);
            var open = paths[0];
            var watch = Stopwatch.StartNew();
            await using var session = await BenchSession.OpenAsync(UriPaths.ToUri(open), File.ReadAllText(open), root);
            var client = session.Client;
            await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(5), "the project load");
            await session.HintsAsync(0, 120);
            double loadMs = watch.Elapsed.TotalMilliseconds;
            var (managedBefore, workingBefore) = Measure();

            // Editor-side, the open file follows the branch too: its new text arrives as a full-text change.
            async Task<double> SwitchAsync(int seed, int version)
            {
                WriteBranch(paths, seed);
                int refreshes = client.ServerRequests.Count(r => r == "workspace/inlayHint/refresh");
                var started = Stopwatch.StartNew();
                foreach (var chunk in paths.Chunk(100))
                    await client.NotifyAsync("workspace/didChangeWatchedFiles", new { changes = chunk.Select(p => new { uri = UriPaths.ToUri(p), type = 2 }).ToArray() });
                await client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = session.Uri, version }, contentChanges = new[] { new { text = File.ReadAllText(open) } } });
                await LspTestClient.Eventually(() => client.ServerRequests.Count(r => r == "workspace/inlayHint/refresh") > refreshes, TimeSpan.FromMinutes(5), "the refresh after the switch");
                double ms = started.Elapsed.TotalMilliseconds;
                await session.HintsAsync(0, 120);
                return ms;
            }
            var switches = new List<Switch>();
            for (int i = 1; i <= Switches; i++)
            {
                double ms = await SwitchAsync(seed: i % 2, version: 1 + i);
                var (managed, working) = Measure();
                switches.Add(new Switch(ms, managed, working));
            }
            return new Result(managedBefore, workingBefore, loadMs, switches, session.Server.DiskBatchesApplied, session.Server.DiskProjectLoads);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>Every file's text on one branch: the same classes, with bodies that differ by seed.</summary>
    private static void WriteBranch(List<string> paths, int seed)
    {
        for (int i = 0; i < paths.Count; i++)
            File.WriteAllText(paths[i], CorpusGenerator.File(100, seed: seed * 100_000 + i).Replace("namespace Generated;", $"namespace Generated.File{i};", StringComparison.Ordinal));
    }

    private static (long Managed, long WorkingSet) Measure()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }
}
