using System.Diagnostics;
using AllocationLens.Server;
using AllocationLens.TestSupport;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis.MSBuild;

namespace AllocationLens.Bench;

/// <summary>
/// Cold start on the sample: the time to the first hints (served ad hoc at once) and to hints judged
/// from the MSBuild project, against a bare MSBuildWorkspace.OpenProjectAsync of the same project.
/// </summary>
public static class ColdStart
{
    public sealed record Result(double BareOpenMs, double FirstHintsMs, double ProjectHintsMs)
    {
        public double Ratio => ProjectHintsMs / BareOpenMs;
    }

    public static async Task<Result> RunAsync(string repoRoot)
    {
        var projectDir = Path.Combine(repoRoot, "samples", "OrderPipeline");
        var project = Path.Combine(projectDir, "OrderPipeline.csproj");
        var file = Path.Combine(projectDir, "OrderProcessor.cs");
        await WorkspaceLoader.LoadAsync(projectDir); // restore and warm MSBuild's caches once, like a second open

        var bare = Stopwatch.StartNew();
        using (var workspace = MSBuildWorkspace.Create())
            await workspace.OpenProjectAsync(project);
        bare.Stop();

        var watch = Stopwatch.StartNew();
        await using var session = await BenchSession.OpenAsync(UriPaths.ToUri(file), File.ReadAllText(file), projectDir);
        await session.HintsAsync(0, 200);
        double first = watch.Elapsed.TotalMilliseconds;
        await LspTestClient.Eventually(() => session.Client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(3), "the project load");
        await session.HintsAsync(0, 200);
        double projectHints = watch.Elapsed.TotalMilliseconds;
        return new Result(bare.Elapsed.TotalMilliseconds, first, projectHints);
    }
}
