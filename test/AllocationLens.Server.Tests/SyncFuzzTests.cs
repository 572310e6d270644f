using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>
/// Random edit sequences through the real protocol: inserts, deletes, pastes of C# fragments, and undo
/// (an edit that restores an earlier text). After every batch the server's document must equal a
/// reference application of the same edits, and the server must still answer inlay hints.
/// CI runs a short fuzz; ALLOCATION_LENS_FUZZ_EDITS raises the count (benchmarks use 10,000+).
/// </summary>
public sealed class SyncFuzzTests
{
    private static readonly string[] Fragments =
    [
        "new Point(1, 2)", "object o = 42;", "\n", "{", "}", "(", ")", "\"str\" + x", "$\"{a}\"", "() => k", "😀", "é", "\r\n",
        "static int M() { var p = new Point(1, 2); return p.X; }\n", "for (int i = 0; i < 3; i++) { }", "//", "/*", "*/", "   ",
    ];

    [Fact]
    public async Task Random_edits_keep_the_server_text_identical_to_a_reference()
    {
        int edits = int.TryParse(Environment.GetEnvironmentVariable("ALLOCATION_LENS_FUZZ_EDITS"), out var n) ? n : 600;
        var random = new Random(20261122);
        const string uri = "file:///tmp/fuzz/Fuzz.cs";
        var reference = File.ReadAllText(Path.Combine(Root(), "samples", "OrderPipeline", "OrderProcessor.cs"));
        var history = new List<string>();

        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(uri, reference);
        int version = 1;
        for (int i = 0; i < edits; i++)
        {
            var before = reference;
            object change;
            if (history.Count > 0 && random.Next(10) == 0)
            {
                // Undo: the client sends the old text back as a replacement of the whole range.
                var restored = history[^1];
                history.RemoveAt(history.Count - 1);
                change = RangeEdit(reference, 0, reference.Length, restored);
                reference = restored;
            }
            else
            {
                int start = random.Next(reference.Length + 1);
                int length = random.Next(3) == 0 ? Math.Min(random.Next(40), reference.Length - start) : 0;
                // Never split a surrogate pair or a CRLF: clients edit whole UTF-16 code points.
                if (start > 0 && start < reference.Length && char.IsLowSurrogate(reference[start])) start--;
                if (start + length < reference.Length && length > 0 && char.IsLowSurrogate(reference[start + length])) length++;
                // Nor land between \r and \n: that offset has no LSP line/character form.
                if (start > 0 && start < reference.Length && reference[start - 1] == '\r' && reference[start] == '\n') start--;
                if (start + length > 0 && start + length < reference.Length && reference[start + length - 1] == '\r' && reference[start + length] == '\n') length++;
                string text = random.Next(4) == 0 ? "" : Fragments[random.Next(Fragments.Length)];
                change = RangeEdit(reference, start, start + length, text);
                reference = reference[..start] + text + reference[(start + length)..];
                history.Add(before);
            }
            await session.ChangeAsync(uri, ++version, change);
            if (i % 50 == 49)
            {
                await session.HintsAsync(uri); // answered after the edits above: the server is alive and caught up
                Assert.Equal(reference, session.Server.Documents.Get(uri)!.Text.ToString());
            }
        }
        var incremental = ServerSession.Labels(await session.HintsAsync(uri)).ToList();
        Assert.Equal(reference, session.Server.Documents.Get(uri)!.Text.ToString());
        // The incrementally reparsed document must give exactly what a fresh parse of its text gives.
        await session.OpenAsync("file:///tmp/fuzz/Fresh.cs", reference);
        var fresh = ServerSession.Labels(await session.HintsAsync("file:///tmp/fuzz/Fresh.cs")).ToList();
        Assert.Equal(fresh, incremental);
        Assert.Equal(0, await session.ShutdownAsync());
    }

    /// <summary>An LSP change for [start, end) in UTF-16 offsets, with line/character positions as clients send them.</summary>
    private static object RangeEdit(string text, int start, int end, string newText)
    {
        var (sl, sc) = Position(text, start);
        var (el, ec) = Position(text, end);
        return ServerSession.Edit(sl, sc, el, ec, newText);
    }

    private static (int Line, int Character) Position(string text, int offset)
    {
        int line = 0, lineStart = 0;
        for (int i = 0; i < offset; i++)
        {
            if (text[i] == '\n') { line++; lineStart = i + 1; }
            else if (text[i] == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')) { line++; lineStart = i + 1; }
        }
        return (line, offset - lineStart);
    }

    private static string Root()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found");
    }
}
