using System.Diagnostics;
using AllocationLens.TestSupport;

namespace AllocationLens.Bench;

/// <summary>
/// The long fuzz run (the CI test runs 600 edits): random edits through the real server, with hints
/// requested every 50 edits. Fails loudly if the server's text ever differs from the reference, if a
/// request errors, or if the final hints differ from a fresh open of the same text.
/// </summary>
public static class Fuzz
{
    public sealed record Result(int Edits, double Seconds, int Checks);

    public static async Task<Result> RunAsync(string repoRoot, int edits)
    {
        var fuzzer = new EditFuzzer(20261122, File.ReadAllText(Path.Combine(repoRoot, "samples", "OrderPipeline", "OrderProcessor.cs")));
        const string uri = "file:///tmp/fuzz/Fuzz.cs";
        await using var session = await BenchSession.OpenAsync(uri, fuzzer.Reference);
        var watch = Stopwatch.StartNew();
        int checks = 0;
        for (int i = 0; i < edits; i++)
        {
            var (sl, sc, el, ec, text) = fuzzer.Next();
            await session.Client.NotifyAsync("textDocument/didChange", new
            {
                textDocument = new { uri, version = i + 2 },
                contentChanges = new[] { new { range = new { start = new { line = sl, character = sc }, end = new { line = el, character = ec } }, text } },
            });
            if (i % 50 == 49 || i == edits - 1)
            {
                var response = await session.HintsAsync(0, 10_000);
                if (response["error"] is not null) throw new InvalidOperationException($"edit {i}: {response.ToJsonString()}");
                if (session.Server.Documents.Get(uri)!.Text.ToString() != fuzzer.Reference)
                    throw new InvalidOperationException($"edit {i}: the server's text differs from the reference");
                checks++;
            }
        }
        watch.Stop();
        var incremental = (await session.HintsAsync(0, 10_000))["result"]!.ToJsonString();
        await using var fresh = await BenchSession.OpenAsync("file:///tmp/fuzz/Fresh.cs", fuzzer.Reference);
        var fromScratch = (await fresh.HintsAsync(0, 10_000))["result"]!.ToJsonString();
        if (incremental != fromScratch) throw new InvalidOperationException("after the fuzz, hints differ from a fresh open of the same text");
        return new Result(edits, watch.Elapsed.TotalSeconds, checks);
    }
}
