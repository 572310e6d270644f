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
}
