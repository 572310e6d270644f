using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>
/// Random edit sequences through the real protocol: inserts, deletes, pastes of C# fragments, and undo
/// (an edit that restores an earlier text). After every batch the server's document must equal a
/// reference application of the same edits, and the server must still answer inlay hints.
/// CI runs a short fuzz; the benchmark's `fuzz` section runs 10,000 edits (ALLOCATION_LENS_FUZZ_EDITS raises this test's count too).
/// </summary>
public sealed class SyncFuzzTests
{
    [Fact]
    public async Task Random_edits_keep_the_server_text_identical_to_a_reference()
    {
        int edits = int.TryParse(Environment.GetEnvironmentVariable("ALLOCATION_LENS_FUZZ_EDITS"), out var n) ? n : 600;
        const string uri = "file:///tmp/fuzz/Fuzz.cs";
        var fuzzer = new TestSupport.EditFuzzer(20261122, File.ReadAllText(Path.Combine(Root(), "samples", "OrderPipeline", "OrderProcessor.cs")));

        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(uri, fuzzer.Reference);
        int version = 1;
        for (int i = 0; i < edits; i++)
        {
            var (sl, sc, el, ec, text) = fuzzer.Next();
            await session.ChangeAsync(uri, ++version, ServerSession.Edit(sl, sc, el, ec, text));
            if (i % 50 == 49)
            {
                await session.HintsAsync(uri); // answered after the edits above: the server is alive and caught up
                Assert.Equal(fuzzer.Reference, session.Server.Documents.Get(uri)!.Text.ToString());
            }
        }
        var incremental = ServerSession.Labels(await session.HintsAsync(uri)).ToList();
        Assert.Equal(fuzzer.Reference, session.Server.Documents.Get(uri)!.Text.ToString());
        // The incrementally reparsed (and member-cached) document must give exactly what a fresh parse gives.
        await session.OpenAsync("file:///tmp/fuzz/Fresh.cs", fuzzer.Reference);
        var fresh = ServerSession.Labels(await session.HintsAsync("file:///tmp/fuzz/Fresh.cs")).ToList();
        Assert.Equal(fresh, incremental);
        Assert.Equal(0, await session.ShutdownAsync());
    }

    private static string Root()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found");
    }
}
