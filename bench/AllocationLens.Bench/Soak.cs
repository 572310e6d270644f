using System.Diagnostics;
using AllocationLens.Server;
using AllocationLens.TestSupport;

namespace AllocationLens.Bench;

/// <summary>
/// Memory over a long editing session: 5,000 edits with hint requests through the real server; the
/// managed heap (after a full collection) and the working set must stay bounded, not grow per edit.
/// </summary>
public static class Soak
{
    public sealed record Sample(int Edits, long ManagedBytes, long WorkingSetBytes);

    public static async Task<IReadOnlyList<Sample>> RunAsync(int edits)
    {
        var text = CorpusGenerator.File(2_000, seed: 7);
        var client = new LspTestClient();
        var server = new LanguageServer(client.ServerInput, client.ServerOutput) { LoadProjects = false };
        _ = server.RunAsync();
        await client.RequestAsync("initialize", new { processId = (int?)null, capabilities = new { } });
        await client.NotifyAsync("initialized", new { });
        const string uri = "file:///tmp/bench/Soak.cs";
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text } });
        var samples = new List<Sample>();
        var range = new { start = new { line = 950, character = 0 }, end = new { line = 1010, character = 0 } };
        for (int i = 1; i <= edits; i++)
        {
            bool insert = i % 2 == 1;
            var edit = insert
                ? new { range = new { start = new { line = 1000, character = 0 }, end = new { line = 1000, character = 0 } }, text = "// x\n" }
                : new { range = new { start = new { line = 1000, character = 0 }, end = new { line = 1001, character = 0 } }, text = "" };
            await client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version = i + 1 }, contentChanges = new[] { edit } });
            if (i % 10 == 0) await client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri }, range });
            if (i == 500 || i == edits / 2 || i == edits)
            {
                long managed = GC.GetTotalMemory(forceFullCollection: true);
                samples.Add(new Sample(i, managed, Process.GetCurrentProcess().WorkingSet64));
            }
        }
        await client.RequestAsync("shutdown", null);
        await client.NotifyAsync("exit", null);
        await client.DisposeAsync();
        return samples;
    }
}
