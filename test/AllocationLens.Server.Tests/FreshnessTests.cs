using AllocationLens.Protocol;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>Stale work is cancelled, and hints that depend on another file are refreshed.</summary>
public sealed class FreshnessTests
{
    [Fact]
    public async Task An_edit_turns_in_flight_requests_on_that_document_into_content_modified()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var editSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool first = true;
        await using var session = new ServerSession(workStarted: async _ =>
        {
            if (!first) return;
            first = false;
            started.SetResult();
            await editSent.Task; // the request's work is in flight while the edit arrives
        });
        await session.InitializeAsync();
        const string uri = "file:///tmp/fresh/Doc.cs";
        await session.OpenAsync(uri, "class C { object M() { var p = new object(); return p; } }\n");
        var pending = session.Client.RequestAsync("textDocument/inlayHint", new
        {
            textDocument = new { uri },
            range = new { start = new { line = 0, character = 0 }, end = new { line = 2, character = 0 } },
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await session.ChangeAsync(uri, 2, ServerSession.Edit(0, 0, 0, 0, " "));
        await session.Client.NotifyAsync("custom/sync", null); // any later message: the edit has been applied when it is read
        await TestSupport.LspTestClient.Eventually(() => session.Server.Documents.Get(uri)!.Version == 2, TimeSpan.FromSeconds(10), "the edit");
        editSent.SetResult();
        var response = await pending;
        Assert.Equal(ErrorCodes.ContentModified, response["error"]?["code"]?.GetValue<int>());
        Assert.NotEmpty(await session.HintsAsync(uri)); // and the next request is served normally
    }

    [Fact]
    public async Task Editing_a_callee_refreshes_hints_that_depend_on_it()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        const string caller = "file:///tmp/fresh/Caller.cs";
        const string callee = "file:///tmp/fresh/Callee.cs";
        await session.OpenAsync(callee, "public static class H { public static int X(P p) => p.V; }\npublic class P { public int V; }\n");
        await session.OpenAsync(caller, "public static class U { static int M() { var p = new P(); return H.X(p); } }\n");
        int before = session.Client.ServerRequests.Count(r => r == "workspace/inlayHint/refresh");
        await session.ChangeAsync(callee, 2, ServerSession.Edit(0, 53, 0, 56, "(S = p).V; public static object? S;"));
        await TestSupport.LspTestClient.Eventually(
            () => session.Client.ServerRequests.Count(r => r == "workspace/inlayHint/refresh") > before, TimeSpan.FromSeconds(10), "a refresh after the callee edit");
    }

    [Fact]
    public async Task Typing_inside_one_method_reuses_the_other_members_and_answers_as_a_fresh_open()
    {
        const string uri = "file:///tmp/fresh/Typing.cs";
        const string text = """
            public sealed class P { public int X; }
            public static class Typing
            {
                static object? s_keep;
                public static int A() { var p = new P(); return p.X; }
                public static void B() { s_keep = new P(); }
                public static object C() { object o = 42; return o; }
            }
            """;
        await using var session = new ServerSession();
        await session.InitializeAsync();
        await session.OpenAsync(uri, text);
        await session.HintsAsync(uri);
        var cache = session.Server.Host.MemberCacheOf(uri);
        int hits = cache.Hits;

        // Type a statement into A's body, a character at a time, as an editor sends it.
        const string typed = " int k = 1;";
        for (int i = 0; i < typed.Length; i++)
            await session.ChangeAsync(uri, 2 + i, ServerSession.Edit(4, 28 + i, 4, 28 + i, typed[i].ToString()));
        var incremental = ServerSession.Labels(await session.HintsAsync(uri)).ToList();

        Assert.Equal(hits + 2, cache.Hits); // B and C came from the cache; A was analysed again
        await session.OpenAsync("file:///tmp/fresh/Typed.cs", session.Server.Documents.Get(uri)!.Text.ToString());
        Assert.Equal(ServerSession.Labels(await session.HintsAsync("file:///tmp/fresh/Typed.cs")).ToList(), incremental);
        Assert.Equal(["stack", "heap", "boxed"], incremental.Select(l => l.Label));
    }
}
