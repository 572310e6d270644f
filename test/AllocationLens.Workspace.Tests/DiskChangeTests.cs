using System.Text.Json.Nodes;
using AllocationLens.Server;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>
/// Files changed on disk while the server runs (workspace/didChangeWatchedFiles) reach the analysis:
/// each test changes what a closed callee does and checks both what the open caller's hint says and
/// what the call's summary (its hover) says, after the server asked the client to refresh.
/// </summary>
public sealed class DiskChangeTests
{
    /// <summary>A callee that keeps nothing and allocates nothing: the caller's Point stays on the stack.</summary>
    private const string QuietSink = "public static class Sink\n{\n    static object? s_kept;\n    public static void Use(Point p) { }\n}\n";
    /// <summary>The same callee keeping its argument and allocating one object: the caller's Point escapes.</summary>
    private const string KeepingSink = "public static class Sink\n{\n    static object? s_kept;\n    public static void Use(Point p) { s_kept = p; s_kept = new object(); }\n}\n";
    /// <summary>The callee as a project property decides it (KEEP defined by the project or a build file above it).</summary>
    private const string ConditionalSink = "public static class Sink\n{\n    static object? s_kept;\n    public static void Use(Point p)\n    {\n#if KEEP\n        s_kept = p; s_kept = new object();\n#endif\n    }\n}\n";
    private const string Caller = "public sealed class Point { public int X; }\npublic static class Calls\n{\n    public static int Make() { var p = new Point(); Sink.Use(p); return p.X; }\n}\n";

    private sealed class Session(LspTestClient client, LanguageServer server, Task<int> run, string root) : IAsyncDisposable
    {
        public LspTestClient Client => client;
        public LanguageServer Server => server;
        public string App => Path.Combine(root, "App");
        public string Root => root;
        public string CallsUri => UriPaths.ToUri(Path.Combine(App, "Calls.cs"));

        public async Task OpenAsync(string file, string? text = null) =>
            await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = UriPaths.ToUri(file), languageId = "csharp", version = 1, text = text ?? File.ReadAllText(file) } });

        /// <summary>Reports the files (1 created, 2 changed, 3 deleted) and waits for the refresh that follows the batch.</summary>
        public async Task ReportAsync(params (string Path, int Type)[] changes)
        {
            int refreshes = Refreshes;
            await client.NotifyAsync("workspace/didChangeWatchedFiles", new { changes = changes.Select(c => new { uri = UriPaths.ToUri(c.Path), type = c.Type }).ToArray() });
            await LspTestClient.Eventually(() => Refreshes > refreshes, TimeSpan.FromMinutes(2), "the refresh after the changes on disk");
        }

        public int Refreshes => client.ServerRequests.Count(r => r == "workspace/inlayHint/refresh");

        /// <summary>The hint on the caller's `new Point()`.</summary>
        public async Task<string> PointHintAsync() =>
            (await client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri = CallsUri }, range = new { start = new { line = 0, character = 0 }, end = new { line = 10, character = 0 } } }))["result"]!.AsArray()
                .Single(h => h!["position"]!["line"]!.GetValue<int>() == 3)!["label"]!.GetValue<string>();

        /// <summary>The hover on the call's method name (what the call allocates), or "" when there is none.</summary>
        public async Task<string> CallHoverAsync()
        {
            var line = Caller.Split('\n')[3];
            int character = line.IndexOf(".Use(", StringComparison.Ordinal) + 2;
            var result = (await client.RequestAsync("textDocument/hover", new { textDocument = new { uri = CallsUri }, position = new { line = 3, character } }))["result"];
            return result is JsonObject o ? o["contents"]!["value"]!.GetValue<string>() : "";
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                await client.RequestAsync("shutdown", null);
                await client.NotifyAsync("exit", null);
                Assert.Equal(0, await run.WaitAsync(TimeSpan.FromMinutes(2)));
                await client.DisposeAsync();
            }
            finally { Directory.Delete(root, recursive: true); }
        }
    }

    /// <summary>
    /// root/App/App.csproj with Calls.cs (open) calling Sink.Use in Sink.cs (closed), loaded; nothing at
    /// root/ itself, so a Directory.Build.props created there is one above the project.
    /// </summary>
    private static async Task<Session> StartAsync(string sink = QuietSink, Func<string, SourceText>? read = null, int extraFiles = 0)
    {
        var root = Path.Combine(Path.GetTempPath(), "allocation-lens-disk-" + Guid.NewGuid().ToString("N")[..8]);
        var app = Path.Combine(root, "App");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "App.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup></Project>");
        File.WriteAllText(Path.Combine(app, "Sink.cs"), sink);
        File.WriteAllText(Path.Combine(app, "Calls.cs"), Caller);
        for (int i = 0; i < extraFiles; i++) File.WriteAllText(Path.Combine(app, $"F{i}.cs"), $"public static class F{i} {{ public static int Get() => {i}; }}\n");
        var client = new LspTestClient();
        var server = new LanguageServer(client.ServerInput, client.ServerOutput)
        {
            ReadFile = read ?? DefaultRead, WatchedFilesDelay = TimeSpan.FromMilliseconds(300), DesignTimeCache = new DesignTimeCache(Path.Combine(root, ".design-time")),
        };
        var run = server.RunAsync();
        await client.RequestAsync("initialize", new
        {
            processId = (int?)null,
            rootUri = UriPaths.ToUri(root),
            capabilities = new { workspace = new { inlayHint = new { refreshSupport = true }, codeLens = new { refreshSupport = true }, didChangeWatchedFiles = new { dynamicRegistration = true } } },
            initializationOptions = new { trusted = true },
        });
        await client.NotifyAsync("initialized", new { });
        var session = new Session(client, server, run, root);
        await session.OpenAsync(Path.Combine(app, "Calls.cs"));
        await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(2), "the workspace load");
        return session;
    }

    private static SourceText DefaultRead(string path)
    {
        using var stream = File.OpenRead(path);
        return SourceText.From(stream);
    }

    private static IEnumerable<string> LogLines(LspTestClient client) =>
        client.Notifications.Where(n => n["method"]!.GetValue<string>() == "window/logMessage").Select(n => n["params"]!["message"]!.GetValue<string>());

    [Fact]
    public async Task The_server_asks_the_client_to_watch_sources_projects_and_build_files()
    {
        await using var session = await StartAsync();
        Assert.Contains("client/registerCapability", session.Client.ServerRequests);
        var globs = LanguageServer.Watchers.Select(w => System.Text.Json.JsonSerializer.SerializeToNode(w)!["globPattern"]!.GetValue<string>()).ToList();
        foreach (var expected in (string[])["**/*.cs", "**/*.csproj", "**/Directory.Build.{props,targets}", "**/global.json", "**/.editorconfig", "**/project.assets.json", "**/.allocationlens.json"])
            Assert.Contains(expected, globs);
    }

    [Fact]
    public async Task A_closed_file_changed_on_disk_changes_the_callers_hint_and_call_summary()
    {
        await using var session = await StartAsync();
        Assert.Contains("stack", await session.PointHintAsync());
        Assert.Contains("`Sink.Use(Point)` allocates nothing on each call", await session.CallHoverAsync());

        var sink = Path.Combine(session.App, "Sink.cs");
        File.WriteAllText(sink, KeepingSink);
        await session.ReportAsync((sink, 2));
        Assert.Contains("heap", await session.PointHintAsync());
        Assert.Contains("`Sink.Use(Point)` allocates on each call: 1 heap", await session.CallHoverAsync());
        Assert.Equal(0, session.Server.DiskProjectLoads);
    }

    [Fact]
    public async Task A_file_created_on_disk_joins_its_project()
    {
        // Sink does not exist yet: the call binds to nothing.
        await using var session = await StartAsync();
        var sink = Path.Combine(session.App, "Sink.cs");
        File.Delete(sink);
        await session.ReportAsync((sink, 3));
        Assert.DoesNotContain("Sink.Use(Point)", await session.CallHoverAsync());

        var created = Path.Combine(session.App, "Helpers", "Sink.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(created)!);
        File.WriteAllText(created, KeepingSink);
        await session.ReportAsync((created, 1));
        var hover = await session.CallHoverAsync();
        Assert.Contains("`Sink.Use(Point)` allocates on each call: 1 heap", hover);
        Assert.Contains("Sink.cs:", hover);
        Assert.Contains("heap", await session.PointHintAsync());
    }

    [Fact]
    public async Task A_file_deleted_on_disk_leaves_its_project()
    {
        await using var session = await StartAsync(KeepingSink);
        Assert.Contains("`Sink.Use(Point)` allocates on each call: 1 heap", await session.CallHoverAsync());

        var sink = Path.Combine(session.App, "Sink.cs");
        File.Delete(sink);
        await session.ReportAsync((sink, 3));
        Assert.DoesNotContain("Sink.Use(Point)", await session.CallHoverAsync());
        Assert.Empty(session.Server.Host.CurrentSolution!.GetDocumentIdsWithFilePath(sink));
    }

    [Fact]
    public async Task A_file_renamed_on_disk_is_judged_at_its_new_path()
    {
        await using var session = await StartAsync(KeepingSink);
        var sink = Path.Combine(session.App, "Sink.cs");
        var renamed = Path.Combine(session.App, "Keeping.cs");
        Assert.Contains("Sink.cs:", await session.CallHoverAsync());

        File.Move(sink, renamed);
        await session.ReportAsync((sink, 3), (renamed, 1));
        var hover = await session.CallHoverAsync();
        Assert.Contains("`Sink.Use(Point)` allocates on each call: 1 heap", hover);
        Assert.Contains("Keeping.cs:", hover);
        Assert.DoesNotContain("Sink.cs:", hover);
        Assert.Equal(1, session.Server.Host.CurrentSolution!.Projects.Single().Documents.Count(d => d.Name is "Keeping.cs" or "Sink.cs"));
    }

    [Fact]
    public async Task A_project_file_edit_loads_that_project_again()
    {
        await using var session = await StartAsync(ConditionalSink);
        Assert.Contains("stack", await session.PointHintAsync());
        Assert.Contains("allocates nothing on each call", await session.CallHoverAsync());

        var project = Path.Combine(session.App, "App.csproj");
        File.WriteAllText(project, "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><DefineConstants>$(DefineConstants);KEEP</DefineConstants></PropertyGroup></Project>");
        await session.ReportAsync((project, 2));
        Assert.Equal(1, session.Server.DiskProjectLoads);
        Assert.Contains("heap", await session.PointHintAsync());
        Assert.Contains("`Sink.Use(Point)` allocates on each call: 1 heap", await session.CallHoverAsync());
    }

    /// <summary>The server loads in process as `analyze` does, and loads a project again through the same design-time cache.</summary>
    [Fact]
    public async Task A_project_reported_changed_but_unchanged_loads_again_from_the_design_time_cache()
    {
        await using var session = await StartAsync(KeepingSink);
        var cache = session.Server.DesignTimeCache!;
        Assert.Equal((0, 1), (cache.Hits, cache.Misses)); // the first load: MSBuild in the server's process
        // Results are kept only when no input changed within seconds of the load: here, as in a project
        // that has been there a while, nothing has.
        foreach (var entry in Directory.EnumerateFileSystemEntries(session.Root, "*", SearchOption.AllDirectories).Append(session.Root))
            if (File.Exists(entry)) File.SetLastWriteTimeUtc(entry, DateTime.UtcNow.AddHours(-1)); else Directory.SetLastWriteTimeUtc(entry, DateTime.UtcNow.AddHours(-1));

        var project = Path.Combine(session.App, "App.csproj");
        await session.ReportAsync((project, 2));
        await session.ReportAsync((project, 2));
        Assert.Equal(2, session.Server.DiskProjectLoads);
        Assert.Equal((1, 2), (cache.Hits, cache.Misses)); // the first reload kept its results, the second read them
        Assert.Contains("`Sink.Use(Point)` allocates on each call: 1 heap", await session.CallHoverAsync());
        Assert.Contains("heap", await session.PointHintAsync());
    }

    [Fact]
    public async Task A_directory_build_props_created_above_the_project_loads_it_again()
    {
        await using var session = await StartAsync(ConditionalSink);
        Assert.Contains("stack", await session.PointHintAsync());

        var props = Path.Combine(session.Root, "Directory.Build.props");
        File.WriteAllText(props, "<Project><PropertyGroup><DefineConstants>$(DefineConstants);KEEP</DefineConstants></PropertyGroup></Project>");
        await session.ReportAsync((props, 1));
        Assert.Equal(1, session.Server.DiskProjectLoads);
        Assert.Contains("heap", await session.PointHintAsync());
        Assert.Contains("`Sink.Use(Point)` allocates on each call: 1 heap", await session.CallHoverAsync());
    }

    /// <summary>A branch switch: 500 files rewritten, reported in five notifications, settle in one batch that loads no project.</summary>
    [Fact]
    public async Task Five_hundred_files_changed_at_once_settle_in_one_batch()
    {
        await using var session = await StartAsync(extraFiles: 499);
        var files = Enumerable.Range(0, 499).Select(i => Path.Combine(session.App, $"F{i}.cs")).Append(Path.Combine(session.App, "Sink.cs")).ToList();
        for (int i = 0; i < 499; i++) File.WriteAllText(files[i], $"public static class F{i} {{ public static object Get() => new object(); }}\n");
        File.WriteAllText(files[^1], KeepingSink);
        int refreshes = session.Refreshes;
        foreach (var chunk in files.Chunk(100))
            await session.Client.NotifyAsync("workspace/didChangeWatchedFiles", new { changes = chunk.Select(f => new { uri = UriPaths.ToUri(f), type = 2 }).ToArray() });
        await LspTestClient.Eventually(() => session.Refreshes > refreshes, TimeSpan.FromMinutes(2), "the refresh after the branch switch");

        Assert.Equal(1, session.Server.DiskBatchesApplied);
        Assert.Equal(0, session.Server.DiskProjectLoads);
        Assert.Contains("heap", await session.PointHintAsync());
        Assert.Contains("`Sink.Use(Point)` allocates on each call: 1 heap", await session.CallHoverAsync());
        var solution = session.Server.Host.CurrentSolution!;
        var f7 = solution.GetDocument(solution.GetDocumentIdsWithFilePath(files[7]).Single())!;
        Assert.Contains("new object()", (await f7.GetTextAsync()).ToString());
    }

    [Fact]
    public async Task An_open_document_keeps_the_editors_text_over_the_disks()
    {
        await using var session = await StartAsync();
        var sink = Path.Combine(session.App, "Sink.cs");
        await session.OpenAsync(sink, QuietSink);
        File.WriteAllText(sink, KeepingSink);
        await session.ReportAsync((sink, 2));
        // The editor shows the quiet callee: the caller is judged with it.
        Assert.Contains("stack", await session.PointHintAsync());
        Assert.Contains("allocates nothing on each call", await session.CallHoverAsync());

        // Closed, the file's text on disk judges the caller.
        await session.Client.NotifyAsync("textDocument/didClose", new { textDocument = new { uri = UriPaths.ToUri(sink) } });
        Assert.Contains("heap", await session.PointHintAsync());
    }

    [Fact]
    public async Task An_unreadable_file_keeps_its_previous_text_and_says_why()
    {
        var sinkPath = "";
        await using var session = await StartAsync(read: path => path == sinkPath ? throw new IOException("the file is locked") : DefaultRead(path));
        sinkPath = Path.Combine(session.App, "Sink.cs");
        File.WriteAllText(sinkPath, KeepingSink);
        await session.Client.NotifyAsync("workspace/didChangeWatchedFiles", new { changes = new[] { new { uri = UriPaths.ToUri(sinkPath), type = 2 } } });
        await LspTestClient.Eventually(() => LogLines(session.Client).Any(l => l.Contains("could not be read", StringComparison.Ordinal)), TimeSpan.FromMinutes(2), "the log line");
        Assert.Contains(LogLines(session.Client), l => l.Contains($"{sinkPath} could not be read (the file is locked); its previous text is kept", StringComparison.Ordinal));
        Assert.Contains("stack", await session.PointHintAsync());
        Assert.Equal(0, session.Server.DiskBatchesApplied);
    }

    [Fact]
    public async Task A_project_that_no_longer_loads_keeps_its_previous_state_and_says_why()
    {
        await using var session = await StartAsync(KeepingSink);
        var project = Path.Combine(session.App, "App.csproj");
        File.WriteAllText(project, "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0");
        await session.Client.NotifyAsync("workspace/didChangeWatchedFiles", new { changes = new[] { new { uri = UriPaths.ToUri(project), type = 2 } } });
        await LspTestClient.Eventually(() => LogLines(session.Client).Any(l => l.StartsWith("change on disk:", StringComparison.Ordinal)), TimeSpan.FromMinutes(2), "the log line");
        var line = LogLines(session.Client).First(l => l.StartsWith("change on disk:", StringComparison.Ordinal));
        Assert.True(line.Contains("App.csproj could not be loaded again", StringComparison.Ordinal) && line.EndsWith("its previous state is kept", StringComparison.Ordinal), line);
        Assert.Contains("heap", await session.PointHintAsync());
        Assert.Contains("`Sink.Use(Point)` allocates on each call: 1 heap", await session.CallHoverAsync());
    }

    /// <summary>A project created in the workspace folder is loaded (restored first): its files leave the ad-hoc fallback.</summary>
    [Fact]
    public async Task A_project_created_in_the_folder_is_loaded()
    {
        await using var session = await StartAsync();
        var lib = Path.Combine(session.Root, "Lib");
        Directory.CreateDirectory(lib);
        var thing = Path.Combine(lib, "Thing.cs");
        const string text = "public static class Thing\n{\n    public static object Make() => new object();\n}\n";
        File.WriteAllText(thing, text);
        await session.OpenAsync(thing, text);
        async Task<string> Hover() => (await session.Client.RequestAsync("textDocument/hover", new { textDocument = new { uri = UriPaths.ToUri(thing) }, position = new { line = 2, character = 40 } }))["result"]!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("ad-hoc (the file is not part of any loaded project)", await Hover());

        var project = Path.Combine(lib, "Lib.csproj");
        File.WriteAllText(project, "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>");
        await session.ReportAsync((lib, 1), (project, 1), (thing, 1));
        Assert.Equal(1, session.Server.DiskProjectLoads);
        Assert.Contains("project Lib", await Hover());
        Assert.DoesNotContain("ad-hoc", await Hover());
    }
}
