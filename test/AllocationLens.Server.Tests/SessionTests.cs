using AllocationLens.Protocol;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>Whole sessions: initialize → didOpen → inlayHint → didChange → inlayHint → hover → explain → shutdown → exit.</summary>
public sealed class SessionTests
{
    private const string Uri = "file:///tmp/allocation-lens-tests/Demo.cs";
    private const string Source = """
        public class Point { public int X, Y; public Point(int x, int y) { X = x; Y = y; } }
        public static class Demo
        {
            static object Make() => new Point(1, 2);
            static int Sum() { var p = new Point(1, 2); return p.X + p.Y; }
            static void Log(int n) => System.Console.WriteLine((object)n);
        }
        """;

    [Fact]
    public async Task Hints_follow_edits_and_hover_explains()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(Uri, Source);

        var labels = ServerSession.Labels(await session.HintsAsync(Uri)).ToList();
        // The hint sits right after the expression: line 3 ends `new Point(1, 2)` at character 43.
        Assert.Contains((3, 43, "heap"), labels);
        Assert.Contains((4, 46, "stack"), labels);
        Assert.Contains(labels, l => l.Line == 5 && l.Label == "boxed");

        // Make Sum's object escape by storing it in a static: the verdict flips to heap.
        await session.ChangeAsync(Uri, 2, ServerSession.Edit(4, 47, 4, 47, " s_keep = p;"));
        await session.ChangeAsync(Uri, 3, ServerSession.Edit(2, 1, 2, 1, " static object? s_keep;"));
        var after = ServerSession.Labels(await session.HintsAsync(Uri)).ToList();
        Assert.Contains(after, l => l.Line == 4 && l.Label == "heap");
        Assert.Equal(Source.Replace("Point(1, 2); return", "Point(1, 2); s_keep = p; return").Replace("Demo\n{", "Demo\n{ static object? s_keep;"),
            session.Server.Documents.Get(Uri)!.Text.ToString());

        var hover = await session.Client.RequestAsync("textDocument/hover", new { textDocument = new { uri = Uri }, position = new { line = 3, character = 30 } });
        var markdown = hover["result"]!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("**heap**", markdown);
        Assert.Contains("returned from `Make`", markdown);
        Assert.Contains("24 bytes", markdown);
        Assert.Contains("Demo.cs:4", markdown);
        Assert.Contains("What to do", markdown);
        Assert.Contains("command:allocationLens.explainAllocation?", markdown);

        var explain = await session.Client.RequestAsync("workspace/executeCommand", new { command = "allocationLens.explain", arguments = new object[] { Uri, new { line = 3, character = 30 } } });
        var site = explain["result"]!["sites"]![0]!;
        Assert.Equal("heap", site["kind"]!.GetValue<string>());
        Assert.Equal("Point", site["type"]!.GetValue<string>());
        Assert.Contains("returned from `Make`", site["why"]![0]!["text"]!.GetValue<string>());

        Assert.Equal(0, await session.ShutdownAsync());
    }

    [Fact]
    public async Task Inlay_hints_are_scoped_to_the_requested_range()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(Uri, Source);
        var only = ServerSession.Labels(await session.HintsAsync(Uri, 4, 5)).ToList();
        Assert.All(only, l => Assert.Equal(4, l.Line));
        Assert.NotEmpty(only);
    }

    [Fact]
    public async Task Explain_with_nothing_at_the_cursor_says_so()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(Uri, Source);
        var explain = await session.Client.RequestAsync("workspace/executeCommand", new { command = "allocationLens.explain", arguments = new object[] { Uri, new { line = 0, character = 2 } } });
        Assert.Empty(explain["result"]!["sites"]!.AsArray());
        Assert.Contains("No allocation", explain["result"]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_requests_get_errors_and_the_server_lives_on()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        var unknown = await session.Client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri = "file:///nope.cs" }, range = new { start = new { line = 0, character = 0 }, end = new { line = 1, character = 0 } } });
        Assert.Equal(ErrorCodes.InvalidParams, unknown["error"]!["code"]!.GetValue<int>());
        var malformed = await session.Client.RequestAsync("textDocument/hover", new { textDocument = 42 });
        Assert.Equal(ErrorCodes.InvalidParams, malformed["error"]!["code"]!.GetValue<int>());
        var badCommand = await session.Client.RequestAsync("workspace/executeCommand", new { command = "allocationLens.explain", arguments = new object[] { 1 } });
        Assert.Equal(ErrorCodes.InvalidParams, badCommand["error"]!["code"]!.GetValue<int>());

        await session.OpenAsync(Uri, Source);
        // Out-of-range positions and edits are clamped, not fatal.
        var far = await session.Client.RequestAsync("textDocument/hover", new { textDocument = new { uri = Uri }, position = new { line = 999, character = 999 } });
        Assert.Null(far["error"]);
        await session.ChangeAsync(Uri, 2, ServerSession.Edit(500, 0, 600, 0, "// appended\n"));
        await session.NotifyUnknownAsync();
        Assert.NotEmpty(await session.HintsAsync(Uri)); // a request is answered after earlier notifications
        Assert.EndsWith("// appended\n", session.Server.Documents.Get(Uri)!.Text.ToString());
        Assert.Equal(0, await session.ShutdownAsync());
    }

    [Fact]
    public async Task Broken_code_binary_garbage_and_deep_nesting_do_not_kill_the_server()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync("file:///tmp/t/broken.cs", "class C { object M() { var p = new C( ; return p; } void N() { foo. } }");
        await session.HintsAsync("file:///tmp/t/broken.cs");

        var garbage = new string(Enumerable.Range(0, 20_000).Select(i => (char)((i * 7919) % 0xD7FF)).ToArray());
        await session.OpenAsync("file:///tmp/t/garbage.cs", garbage);
        await session.HintsAsync("file:///tmp/t/garbage.cs");

        var deep = "class D { int M(int x) => " + new string('(', 3000) + "x" + new string(')', 3000) + "; object N(string s) => " +
                   string.Join(" + ", Enumerable.Repeat("s", 20_000)) + "; }";
        await session.OpenAsync("file:///tmp/t/deep.cs", deep);
        var hints = ServerSession.Labels(await session.HintsAsync("file:///tmp/t/deep.cs")).ToList();
        Assert.Contains(hints, h => h.Label == "heap");

        var lines = string.Join("\n", Enumerable.Range(0, 100_000).Select(i => i % 1000 == 0 ? $"class K{i} {{ object M() => new object(); }}" : "// filler line"));
        await session.OpenAsync("file:///tmp/t/huge.cs", lines);
        Assert.NotEmpty(await session.HintsAsync("file:///tmp/t/huge.cs", 50_000, 50_100));
        Assert.Equal(0, await session.ShutdownAsync());
    }
}

internal static class SessionExtensions
{
    /// <summary>An unknown notification in the middle of a session is logged and ignored.</summary>
    public static Task NotifyUnknownAsync(this ServerSession session) => session.Client.NotifyAsync("custom/whatever", new { x = 1 });
}
