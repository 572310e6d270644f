using System.Text.Json.Nodes;
using AllocationLens.Protocol;
using AllocationLens.TestSupport;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>
/// The Allocations view's request (allocationLens/workspaceAllocations) and the per-method CodeLens:
/// what they list and count, that the view streams per document and can be cancelled, and that it never
/// holds up the hints of the file being edited.
/// </summary>
public sealed class AllocationsViewTests
{
    private const string A = """
        using System.Collections.Generic;
        public sealed class P { public int X; }
        public static class A
        {
            static object? s_keep;
            public static void Keep() { s_keep = new P(); }
            public static object Box(int n) => n;
            public static List<P> Many(int n)
            {
                var list = new List<P>();
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        list.Add(new P());
                return list;
            }
            public static int Local() { var p = new P(); return p.X; }
        }
        """;
    private const string B = "public static class B { public static string Greet(string name) => \"Hello \" + name; }\n";
    private const string C = "public static class C { public static int Add(int a, int b) => a + b; }\n";
    private const string UriA = "file:///tmp/view/A.cs", UriB = "file:///tmp/view/B.cs", UriC = "file:///tmp/view/C.cs";

    private static async Task<ServerSession> OpenThree(ServerSession session)
    {
        await session.InitializeAsync();
        await session.OpenAsync(UriC, C);
        await session.OpenAsync(UriB, B);
        await session.OpenAsync(UriA, A);
        return session;
    }

    private static IEnumerable<JsonObject> Progress(ServerSession session, string token) =>
        session.Client.Notifications.Where(n => n["method"]!.GetValue<string>() == "$/progress" && n["params"]!["token"]!.GetValue<string>() == token)
            .Select(n => n["params"]!["value"]!.AsObject());

    [Fact]
    public async Task The_view_streams_each_document_as_a_partial_result_with_work_done_progress()
    {
        await using var session = await OpenThree(new ServerSession());
        var response = await session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, new { workDoneToken = "work", partialResultToken = "partial" });
        var result = response["result"]!;
        Assert.Empty(result["documents"]!.AsArray()); // everything came as partial results
        Assert.Equal(3, result["files"]!.GetValue<int>());
        Assert.Equal(2, result["filesWithSites"]!.GetValue<int>());
        Assert.False(result["complete"]!.GetValue<bool>()); // no workspace loaded: only open files
        Assert.Contains("Only open files", result["note"]!.GetValue<string>());

        // One partial result per document with sites, in the order they were scanned (open files by path).
        var partials = Progress(session, "partial").ToList();
        Assert.All(partials, p => Assert.Single(p["documents"]!.AsArray()));
        Assert.Equal([UriA, UriB], partials.Select(p => p["documents"]![0]!["uri"]!.GetValue<string>()));
        var kinds = Progress(session, "work").Select(v => v["kind"]!.GetValue<string>()).ToList();
        Assert.Equal("begin", kinds[0]);
        Assert.Equal("end", kinds[^1]);
        Assert.Contains("report", kinds);
    }

    [Fact]
    public async Task The_view_groups_sites_by_member_with_kinds_sizes_and_loop_depths()
    {
        await using var session = await OpenThree(new ServerSession());
        var result = (await session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, new { }))["result"]!;
        var documents = result["documents"]!.AsArray();
        Assert.Equal(2, documents.Count); // C.cs allocates nothing
        var a = documents.Single(d => d!["uri"]!.GetValue<string>() == UriA)!;
        Assert.Equal("Other files", a["project"]!.GetValue<string>());
        Assert.Equal("net10.0", a["target"]!.GetValue<string>());
        Assert.True(a["open"]!.GetValue<bool>());
        var methods = a["methods"]!.AsArray().ToDictionary(m => m!["name"]!.GetValue<string>(), m => m!["sites"]!.AsArray());
        Assert.Equal(["A.Keep()", "A.Box(int)", "A.Many(int)", "A.Local()"], methods.Keys);
        Assert.Equal(("heap", 24, 0), Site(methods["A.Keep()"].Single()!));
        Assert.Equal(("boxed", 24, 0), Site(methods["A.Box(int)"].Single()!));
        // The list (List<int> is 32 bytes, as the runtime lays it out), its growth by Add in the loop (no static size), and the element.
        Assert.Equal([("heap", 32, 0), ("heap", null, 2), ("heap", 24, 2)], methods["A.Many(int)"].Select(s => Site(s!)));
        Assert.Equal(("stack", 24, 0), Site(methods["A.Local()"].Single()!));
        // A member's range is its name, where the view reveals it.
        var keep = a["methods"]!.AsArray().Single(m => m!["name"]!.GetValue<string>() == "A.Keep()")!;
        Assert.Equal(5, keep["range"]!["start"]!["line"]!.GetValue<int>());
        // Nothing verified: an object the JIT could judge is "unverified"; the list's growth (a call) is
        // nothing a JIT verdict applies to.
        Assert.Equal("unverified", methods["A.Keep()"][0]!["jit"]!.GetValue<string>());
        Assert.Null(methods["A.Many(int)"][1]!["jit"]);

        static (string, int?, int) Site(JsonNode s) => (s["kind"]!.GetValue<string>(), s["bytes"]?.GetValue<int>(), s["loopDepth"]!.GetValue<int>());
    }

    [Fact]
    public async Task Cancelling_the_view_stops_the_scan_and_ends_its_progress()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstStreamed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var session = await OpenThree(new ServerSession(documentStreamed: async _ => { firstStreamed.TrySetResult(); await hold.Task; }));
        int id = session.Client.NextId();
        var response = session.Client.WaitForResponse(id.ToString());
        await session.Client.SendFramedAsync(System.Text.Json.JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0", id, method = LanguageServer.WorkspaceAllocationsMethod, @params = new { workDoneToken = "w", partialResultToken = "p" },
        }));
        await firstStreamed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await session.Client.NotifyAsync("$/cancelRequest", new { id });
        await session.HintsAsync(UriC); // answered after the loop has read the cancellation
        hold.SetResult();
        var answer = await response.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ErrorCodes.RequestCancelled, answer["error"]?["code"]?.GetValue<int>());
        Assert.Single(Progress(session, "p")); // the first document only
        Assert.Equal("cancelled", Progress(session, "w").Last()["message"]!.GetValue<string>());
        Assert.NotEmpty(await session.HintsAsync(UriA)); // the server carries on
    }

    [Fact]
    public async Task An_inlay_hint_preempts_the_view_and_is_answered_while_the_view_is_in_flight()
    {
        var sliceRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool preempted = false;
        int slices = 0;
        await using var session = await OpenThree(new ServerSession(sliceStarted: token =>
        {
            if (Interlocked.Increment(ref slices) != 1) return;
            // The first slice "takes long": it only ends when a foreground request preempts it.
            sliceRunning.SetResult();
            preempted = token.WaitHandle.WaitOne(TimeSpan.FromSeconds(30));
        }));
        var view = session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, new { partialResultToken = "p" });
        await sliceRunning.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var hints = await session.HintsAsync(UriB).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEmpty(hints);
        var result = (await view)["result"]!;
        Assert.True(preempted, "the hint request did not preempt the view's slice");
        Assert.True(session.Server.Foreground.Preemptions > 0);
        Assert.Equal(2, result["filesWithSites"]!.GetValue<int>()); // the preempted slice ran again
        Assert.Equal(2, Progress(session, "p").Count());
    }

    /// <summary>
    /// A real multi-file project loaded through MSBuild: the open file first, then the project's other
    /// files, all under the project's name; an inlay hint for the open file preempts the scan's slice
    /// and is answered while the view's request is still in flight.
    /// </summary>
    [Fact]
    public async Task On_a_loaded_project_the_view_lists_every_file_and_never_holds_up_the_open_files_hints()
    {
        var root = Path.Combine(RepositoryRoot(), "test", "projects", "Net10App");
        var sliceRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool preempted = false, armed = false;
        await using var session = new ServerSession(loadProjects: true, sliceStarted: token =>
        {
            if (!Volatile.Read(ref armed) || sliceRunning.Task.IsCompleted) return;
            sliceRunning.SetResult();
            preempted = token.WaitHandle.WaitOne(TimeSpan.FromSeconds(60));
        });
        await session.InitializeAsync(root);
        var shapes = Path.Combine(root, "Shapes.cs");
        var uri = UriPaths.ToUri(shapes);
        await session.OpenAsync(uri, File.ReadAllText(shapes));
        await LspTestClient.Eventually(() => session.Client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(3), "the workspace load");
        Assert.Contains("workspace/codeLens/refresh", session.Client.ServerRequests); // lenses are asked for again after the load too

        Volatile.Write(ref armed, true);
        var view = session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, new { partialResultToken = "p" }, TimeSpan.FromMinutes(3));
        await sliceRunning.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var hints = await session.HintsAsync(uri).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(ServerSession.Labels(hints), h => h.Label == "heap");
        Assert.False(view.IsCompleted, "the view answered before the hint: nothing was in flight");

        var result = (await view)["result"]!;
        Assert.True(preempted, "the hint request did not preempt the view's slice");
        Assert.True(result["complete"]!.GetValue<bool>());
        Assert.Null(result["note"]);
        var documents = Progress(session, "p").Select(p => p["documents"]![0]!).ToList();
        Assert.Equal(["Shapes.cs", "Buffers.cs"], documents.Select(d => Path.GetFileName(d["path"]!.GetValue<string>())));
        Assert.All(documents, d => Assert.Equal("Net10App", d["project"]!.GetValue<string>()));
        Assert.Equal([true, false], documents.Select(d => d["open"]!.GetValue<bool>()));
        var rings = documents[1]["methods"]!.AsArray().Single()!;
        Assert.Equal("Buffers.Rings(int, int)", rings["name"]!.GetValue<string>());
        Assert.Equal([0, 2], rings["sites"]!.AsArray().Select(s => s!["loopDepth"]!.GetValue<int>()));

        // A refresh judges the open file again; the closed one is answered as before, from the last scan.
        var again = (await session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, new { }))["result"]!["documents"]!.AsArray();
        Assert.Equal(Directory.GetFiles(root, "*.cs").Length - 1, session.Server.ClosedResultsReused); // every closed file, with sites or not
        Assert.Equal(documents[1].ToJsonString(), again.Single(d => !d!["open"]!.GetValue<bool>())!.ToJsonString());
    }

    private static string RepositoryRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found");
    }

    [Fact]
    public async Task Edits_and_closes_during_the_scan_never_fail_it()
    {
        var streamed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var edited = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var session = await OpenThree(new ServerSession(documentStreamed: async uri =>
        {
            if (uri != UriA) return;
            streamed.TrySetResult();
            await edited.Task;
        }));
        var view = session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, new { });
        await streamed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await session.ChangeAsync(UriB, 2, ServerSession.Edit(0, 0, 1, 0, "public static class B { static object M() => new object(); }\n"));
        await session.Client.NotifyAsync("textDocument/didClose", new { textDocument = new { uri = UriC } });
        await session.Client.NotifyAsync("custom/sync", null);
        await LspTestClient.Eventually(() => session.Server.Documents.Get(UriC) is null, TimeSpan.FromSeconds(10), "the close");
        edited.SetResult();
        var result = (await view)["result"]!;
        var b = result["documents"]!.AsArray().Single(d => d!["uri"]!.GetValue<string>() == UriB)!;
        Assert.Equal("B.M()", b["methods"]![0]!["name"]!.GetValue<string>()); // judged on the text after the edit
        Assert.Equal(2, result["filesWithSites"]!.GetValue<int>()); // C was closed meanwhile: A and B
        Assert.Equal(0, result["failed"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_code_lens_of_each_allocating_member_counts_its_sites()
    {
        await using var session = await OpenThree(new ServerSession());
        var lenses = await LensesAsync(session, UriA);
        Assert.Equal(
            [(5, "1 heap · 24 B per call"), (6, "1 boxed · 24 B per call"), (7, "3 heap · 2 in a loop · 32 B per call")],
            lenses.Select(l => (l!["range"]!["start"]!["line"]!.GetValue<int>(), l["command"]!["title"]!.GetValue<string>())));
        // Local() allocates only on the stack: no lens. A string whose size is not static has no bytes.
        Assert.Equal("1 heap", (await LensesAsync(session, UriB)).Single()!["command"]!["title"]!.GetValue<string>());
        Assert.Empty(await LensesAsync(session, UriC));

        var command = lenses[0]!["command"]!;
        Assert.Equal(LanguageServer.ShowMethodCommand, command["command"]!.GetValue<string>());
        Assert.Equal(UriA, command["arguments"]![0]!.GetValue<string>());
        Assert.Equal("A.Keep()", command["arguments"]![2]!.GetValue<string>());
    }

    [Fact]
    public async Task Code_lenses_follow_edits_and_are_refreshed_when_another_file_changes()
    {
        await using var session = await OpenThree(new ServerSession());
        var init = await LensesAsync(session, UriB);
        Assert.Single(init);
        // Box the name too: the lens counts it.
        await session.ChangeAsync(UriB, 2, ServerSession.Edit(0, 0, 1, 0,
            "public static class B { public static string Greet(string name) => \"Hello \" + name; static object O(int n) { object o = n; return o; } }\n"));
        var after = await LensesAsync(session, UriB);
        Assert.Equal(["1 heap", "1 boxed · 24 B per call"], after.Select(l => l!["command"]!["title"]!.GetValue<string>()));
        await LspTestClient.Eventually(() => session.Client.ServerRequests.Contains("workspace/codeLens/refresh"), TimeSpan.FromSeconds(10), "a code lens refresh");
    }

    [Fact]
    public async Task The_server_advertises_code_lenses()
    {
        await using var session = new ServerSession();
        var response = await session.Client.RequestAsync("initialize", new { processId = (int?)null, capabilities = new { } });
        Assert.Equal(false, response["result"]!["capabilities"]!["codeLensProvider"]!["resolveProvider"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Bad_requests_are_answered_not_crashed_on()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        var lens = await session.Client.RequestAsync("textDocument/codeLens", new { textDocument = new { uri = "file:///tmp/view/Closed.cs" } });
        Assert.Equal(ErrorCodes.InvalidParams, lens["error"]?["code"]?.GetValue<int>());
        // No documents at all: an empty, complete-as-possible answer.
        var view = (await session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, null))["result"]!;
        Assert.Equal(0, view["files"]!.GetValue<int>());
        // Broken code is input.
        await session.OpenAsync("file:///tmp/view/Broken.cs", "class X { void M( { var a = new ; } object N() => new object(");
        var broken = (await session.Client.RequestAsync(LanguageServer.WorkspaceAllocationsMethod, new { partialResultToken = 7 }))["result"]!;
        Assert.Equal(0, broken["failed"]!.GetValue<int>());
        Assert.NotNull((await session.Client.RequestAsync("textDocument/codeLens", new { textDocument = new { uri = "file:///tmp/view/Broken.cs" } }))["result"]);
    }

    [Fact]
    public void Slices_cover_every_member_once_in_ranges_of_about_the_given_size()
    {
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(A);
        var slices = LanguageServer.Slices(tree.GetRoot(), 60).ToList();
        Assert.True(slices.Count > 2, $"{slices.Count} slices");
        var members = Analysis.AllocationAnalyzer.BoundMembers(tree.GetRoot()).ToList();
        foreach (var member in members)
            Assert.Single(slices, s => s!.Value.Contains(member.Span));
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan?[] { null }, LanguageServer.Slices(Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText("var x = new object();").GetRoot(), 60));
    }

    private static async Task<JsonArray> LensesAsync(ServerSession session, string uri)
    {
        var response = await session.Client.RequestAsync("textDocument/codeLens", new { textDocument = new { uri } });
        if (response["error"] is not null) throw new InvalidOperationException(response.ToJsonString());
        return response["result"]!.AsArray();
    }
}
