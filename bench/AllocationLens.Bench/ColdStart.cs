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

        var client = new LspTestClient();
        var server = new LanguageServer(client.ServerInput, client.ServerOutput);
        var watch = Stopwatch.StartNew();
        _ = server.RunAsync();
        await client.RequestAsync("initialize", new
        {
            processId = (int?)null,
            rootUri = UriPaths.ToUri(projectDir),
            capabilities = new { workspace = new { inlayHint = new { refreshSupport = true } } },
        });
        await client.NotifyAsync("initialized", new { });
        var uri = UriPaths.ToUri(file);
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = File.ReadAllText(file) } });
        var range = new { start = new { line = 0, character = 0 }, end = new { line = 200, character = 0 } };
        await client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri }, range });
        double first = watch.Elapsed.TotalMilliseconds;
        await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(3), "the project load");
        await client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri }, range });
        double projectHints = watch.Elapsed.TotalMilliseconds;
        await client.RequestAsync("shutdown", null);
        await client.NotifyAsync("exit", null);
        await client.DisposeAsync();
        return new Result(bare.Elapsed.TotalMilliseconds, first, projectHints);
    }
}
