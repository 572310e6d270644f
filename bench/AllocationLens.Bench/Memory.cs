namespace AllocationLens.Bench;

/// <summary>
/// The server's working set after loading a workspace, against a bare MSBuildWorkspace that opened and
/// compiled the same projects, each in a fresh process (both ReadyToRun), measured in the same run.
/// Two workspaces: the sample, and this repository's own server.sln (five projects, Roslyn and MSBuild references).
/// </summary>
public static class Memory
{
    public sealed record Result(string Name, long ServerBytes, long BareBytes)
    {
        public double Ratio => (double)ServerBytes / BareBytes;
    }

    public static async Task<IReadOnlyList<Result>> RunAsync(string repoRoot)
    {
        var serverDll = Path.Combine(repoRoot, "server-dist", "allocation-lens.dll");
        if (!File.Exists(serverDll)) throw new InvalidOperationException($"{serverDll} is missing: run `npm run build:server` first.");
        var bench = ColdStart.EnsureReadyToRunBench(repoRoot);
        var sample = Path.Combine(repoRoot, "samples", "OrderPipeline");
        var cases = new[]
        {
            ("the sample", sample, Path.Combine(sample, "OrderPipeline.csproj"), Path.Combine(sample, "OrderProcessor.cs")),
            ("server.sln", repoRoot, Path.Combine(repoRoot, "server.sln"), Path.Combine(repoRoot, "server", "AllocationLens.Analysis", "AllocationAnalyzer.cs")),
        };
        var results = new List<Result>();
        foreach (var (name, folder, loadPath, file) in cases)
        {
            var bare = ColdStart.BareWorkspace(bench, loadPath, compile: true);
            var server = await ColdStart.ServerAsync(serverDll, folder, file);
            results.Add(new Result(name, server.WorkingSetBytes, bare.WorkingSetBytes));
        }
        return results;
    }
}
