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
        const string uri = "file:///tmp/bench/Soak.cs";
        await using var session = await BenchSession.OpenAsync(uri, text);
        var client = session.Client;
        var samples = new List<Sample>();
        for (int i = 1; i <= edits; i++)
        {
            bool insert = i % 2 == 1;
            var edit = insert
                ? new { range = new { start = new { line = 1000, character = 0 }, end = new { line = 1000, character = 0 } }, text = "// x\n" }
                : new { range = new { start = new { line = 1000, character = 0 }, end = new { line = 1001, character = 0 } }, text = "" };
            await client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version = i + 1 }, contentChanges = new[] { edit } });
            if (i % 10 == 0) await session.HintsAsync(950, 1010);
            if (i == 500 || i == edits / 2 || i == edits)
            {
                long managed = GC.GetTotalMemory(forceFullCollection: true);
                samples.Add(new Sample(i, managed, Process.GetCurrentProcess().WorkingSet64));
            }
        }
        return samples;
    }
}
