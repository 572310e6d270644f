using System.Text.Json.Nodes;
using AllocationLens.TestSupport;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>"This call allocates" and parameter escape facts through the real server: hovers, the optional hints, Explain.</summary>
public sealed class CallSummaryTests
{
    private const string Uri = "file:///tmp/summaries/Calls.cs";
    private const string Source = """
        public sealed class Point { public int X; }
        public static class Helpers
        {
            static object? s_keep;
            public static object Format(int n) { var p = new Point(); s_keep = p; return n; }
            public static int Pure(int a) => a + 1;
            public static void Keep(Point p) { s_keep = p; }
            public static int Read(Point p) => p.X;
        }
        public static class Caller
        {
            public static object Run() => Helpers.Format(3);
            public static int Quiet() => Helpers.Pure(3);
        }
        """;

    private static async Task<JsonNode?> HoverAsync(ServerSession session, string uri, int line, int character)
    {
        var response = await session.Client.RequestAsync("textDocument/hover", new { textDocument = new { uri }, position = new { line, character } });
        Assert.Null(response["error"]);
        return response["result"];
    }

    private static (int Line, int Character) Find(string text, string what, int nth = 0)
    {
        var lines = text.Split('\n');
        int seen = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            int at = lines[i].IndexOf(what, StringComparison.Ordinal);
            if (at >= 0 && seen++ == nth) return (i, at);
        }
        throw new InvalidOperationException($"{what} not found");
    }

    [Fact]
    public async Task Hovering_a_call_says_what_it_allocates_with_links_to_the_sites()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(Uri, Source);
        var (line, character) = Find(Source, "Format(3)");
        var value = (await HoverAsync(session, Uri, line, character + 1))!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("`Helpers.Format(int)` allocates on each call: 1 heap (24 B), 1 boxed (24 B)", value);
        Assert.Contains("heap `new Point()` (24 B) in `Format` — [Calls.cs:5](file:///tmp/summaries/Calls.cs#L5)", value);

        var (quietLine, quietCharacter) = Find(Source, "Pure(3)");
        var quiet = (await HoverAsync(session, Uri, quietLine, quietCharacter + 1))!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("allocates nothing on each call", quiet);
    }

    [Fact]
    public async Task Hovering_a_parameter_says_whether_it_escapes()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(Uri, Source);
        var (keepLine, keepCharacter) = Find(Source, "Point p) { s_keep");
        var keep = (await HoverAsync(session, Uri, keepLine, keepCharacter + 6))!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("`p` escapes: stored to static field `s_keep` (line 7)", keep);
        var (readLine, readCharacter) = Find(Source, "Point p) => p.X");
        var read = (await HoverAsync(session, Uri, readLine, readCharacter + 6))!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("`p` does not escape `Read`", read);
    }

    [Fact]
    public async Task Call_summary_hints_are_off_by_default_and_follow_the_setting()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(Uri, Source);
        Assert.DoesNotContain(ServerSession.Labels(await session.HintsAsync(Uri)), h => h.Label.StartsWith("allocates", StringComparison.Ordinal));

        await session.Client.NotifyAsync("workspace/didChangeConfiguration", new { settings = new { allocationLens = new { inlayHints = new { callSummaries = true } } } });
        await LspTestClient.Eventually(() => session.Server.CallSummaryHints, TimeSpan.FromSeconds(10), "the setting");
        var hints = ServerSession.Labels(await session.HintsAsync(Uri)).ToList();
        var (line, _) = Find(Source, "Format(3)");
        Assert.Contains(hints, h => h.Line == line && h.Label == "allocates 2");
        // A call whose callee allocates nothing gets no hint.
        var (quietLine, _) = Find(Source, "Pure(3)");
        Assert.DoesNotContain(hints, h => h.Line == quietLine && h.Label.StartsWith("allocates", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Editing_the_callee_changes_the_callers_summary()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync(callSummaryHints: true);
        await session.OpenAsync(Uri, Source);
        var (line, character) = Find(Source, "Format(3)");
        Assert.Contains(ServerSession.Labels(await session.HintsAsync(Uri)), h => h.Line == line && h.Label == "allocates 2");

        // Format stops boxing: `return n;` becomes `return null;`.
        var (editLine, editCharacter) = Find(Source, "return n;");
        await session.ChangeAsync(Uri, 2, ServerSession.Edit(editLine, editCharacter + 7, editLine, editCharacter + 8, "null"));
        Assert.Contains(ServerSession.Labels(await session.HintsAsync(Uri)), h => h.Line == line && h.Label == "allocates 1");
        var value = (await HoverAsync(session, Uri, line, character + 1))!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("allocates on each call: 1 heap (24 B)", value);
        Assert.DoesNotContain("boxed", value);
    }

    [Fact]
    public async Task Explain_on_a_call_lists_the_calls_that_allocate()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(Uri, Source);
        var (line, character) = Find(Source, "Format(3)");
        var response = await session.Client.RequestAsync("workspace/executeCommand", new { command = "allocationLens.explain", arguments = new object[] { Uri, new { line, character } } });
        var calls = response["result"]!["calls"]!.AsArray();
        var call = Assert.Single(calls);
        Assert.Equal("Helpers.Format(int)", call!["callee"]!.GetValue<string>());
        Assert.Equal(1, call["heap"]!.GetValue<int>());
        Assert.Null(response["result"]!["message"]);
    }

    [Fact]
    public async Task Broken_code_under_the_cursor_answers_without_failing()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync(callSummaryHints: true);
        const string broken = "public static class B { static object M(Point p) => Helpers.Format(; static void N(int x) { x. } }\n";
        await session.OpenAsync(Uri, broken);
        for (int c = 0; c < broken.Length - 1; c += 3) await HoverAsync(session, Uri, 0, c);
        await session.HintsAsync(Uri);
    }
}
