using AllocationLens.Server;
using AllocationLens.TestSupport;
using AllocationLens.Workspace;
using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>The server on a real project: ad-hoc hints first, MSBuild verdicts after the load, untrusted never loads.</summary>
public sealed class ServerWorkspaceTests
{
    private static async Task<(LspTestClient Client, LanguageServer Server, Task<int> Run)> Start(string root, bool trusted, string runtime = "")
    {
        var client = new LspTestClient();
        var server = new LanguageServer(client.ServerInput, client.ServerOutput);
        var run = server.RunAsync();
        await client.RequestAsync("initialize", new
        {
            processId = (int?)null,
            rootUri = UriPaths.ToUri(root),
            capabilities = new { workspace = new { inlayHint = new { refreshSupport = true } }, window = new { workDoneProgress = true } },
            initializationOptions = new { trusted, runtime },
        });
        await client.NotifyAsync("initialized", new { });
        return (client, server, run);
    }

    /// <summary>shutdown then exit: the server must exit with 0, whatever the test did before.</summary>
    private static async Task ShutDownCleanly(LspTestClient client, Task<int> run)
    {
        await client.RequestAsync("shutdown", null);
        await client.NotifyAsync("exit", null);
        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromMinutes(2)));
        await client.DisposeAsync();
    }

    /// <summary>An empty net10.0 project in a temp folder, outside the checkout's build props; the caller deletes it.</summary>
    private static string TempProject(string name)
    {
        var root = Path.Combine(Path.GetTempPath(), $"allocation-lens-{name.ToLowerInvariant()}-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, name + ".csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>");
        File.WriteAllText(Path.Combine(root, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(root, "Directory.Packages.props"), "<Project />");
        return root;
    }

    private static object HintRequest(string uri) => new { textDocument = new { uri }, range = new { start = new { line = 0, character = 0 }, end = new { line = 100, character = 0 } } };

    [Fact]
    public async Task Trusted_folder_loads_the_project_and_refreshes_hints()
    {
        var root = TestPaths.Project("Net8App");
        var (client, _, run) = await Start(root, trusted: true);
        var file = Path.Combine(root, "Shapes.cs");
        var uri = UriPaths.ToUri(file);
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = File.ReadAllText(file) } });

        // When MSBuild finishes, the server asks the client to refresh; then verdicts are judged for net8.0.
        await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(2), "the workspace load");
        Assert.Contains("window/workDoneProgress/create", client.ServerRequests);
        var states = client.Notifications.Where(n => n["method"]!.GetValue<string>() == "allocationLens/status").Select(n => n["params"]!["state"]!.GetValue<string>()).ToList();
        Assert.Equal(["loading", "ready"], states);
        var hints = (await client.RequestAsync("textDocument/inlayHint", HintRequest(uri)))["result"]!.AsArray();
        var tooltip = hints.Select(h => h!["tooltip"]!["value"]!.GetValue<string>()).First(t => t.Contains("new Circle(r)", StringComparison.Ordinal));
        Assert.Contains(".NET 8 does not stack-allocate", tooltip);

        await ShutDownCleanly(client, run);
    }

    [Fact]
    public async Task Typing_in_a_loaded_project_reuses_the_other_members()
    {
        var root = TestPaths.Project("Net10App");
        var (client, server, run) = await Start(root, trusted: true);
        var file = Path.Combine(root, "Shapes.cs");
        var uri = UriPaths.ToUri(file);
        var text = File.ReadAllText(file);
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text } });
        await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(2), "the workspace load");
        var before = (await client.RequestAsync("textDocument/inlayHint", HintRequest(uri)))["result"]!.ToJsonString();
        var cache = server.Host.MemberCacheOf(uri);
        int hits = cache.Hits;

        // Type inside Area's body, a character at a time, then ask again: the project's compilation is
        // rebuilt per edit, yet every other member's results are reused.
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains("var c = new Circle(r);", StringComparison.Ordinal));
        const string typed = "int k = 0; ";
        for (int i = 0; i < typed.Length; i++)
        {
            var at = new { line, character = 8 + i };
            await client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version = 2 + i }, contentChanges = new[] { new { range = new { start = at, end = at }, text = typed[i].ToString() } } });
        }
        var after = (await client.RequestAsync("textDocument/inlayHint", HintRequest(uri)))["result"]!.AsArray();
        Assert.True(cache.Hits > hits, $"no member came from the cache ({cache.Misses} analysed)");
        Assert.Equal(System.Text.Json.Nodes.JsonNode.Parse(before)!.AsArray().Count, after.Count);
        Assert.Contains(after, h => h!["label"]!.GetValue<string>().Contains("stack", StringComparison.Ordinal) && h["position"]!["line"]!.GetValue<int>() == line);

        await ShutDownCleanly(client, run);
    }

    [Fact]
    public async Task Unsaved_edits_in_one_open_file_judge_the_others_until_it_is_closed()
    {
        // A project of two files outside the checkout: the caller's object escapes only if the callee stores it.
        var root = TempProject("Unsaved");
        try
        {
            const string callee = "public sealed class Point { public int X; }\npublic static class Sink\n{\n    static object? s_kept;\n    public static void Use(Point p) { }\n}\n";
            const string caller = "public static class Calls\n{\n    public static int Make() { var p = new Point(); Sink.Use(p); return p.X; }\n}\n";
            File.WriteAllText(Path.Combine(root, "Sink.cs"), callee);
            File.WriteAllText(Path.Combine(root, "Calls.cs"), caller);
            var (client, _, run) = await Start(root, trusted: true);
            var sinkUri = UriPaths.ToUri(Path.Combine(root, "Sink.cs"));
            var callsUri = UriPaths.ToUri(Path.Combine(root, "Calls.cs"));
            await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = sinkUri, languageId = "csharp", version = 1, text = callee } });
            await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = callsUri, languageId = "csharp", version = 1, text = caller } });
            await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(2), "the workspace load");
            async Task<string> PointHint() =>
                (await client.RequestAsync("textDocument/inlayHint", HintRequest(callsUri)))["result"]!.AsArray()
                    .Single(h => h!["position"]!["line"]!.GetValue<int>() == 2)!["label"]!.GetValue<string>();
            Assert.Contains("stack", await PointHint());

            // Typed, not saved: Use now keeps its argument, and the caller is judged with that text.
            var at = new { line = 4, character = "    public static void Use(Point p) { ".Length };
            await client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = sinkUri, version = 2 }, contentChanges = new[] { new { range = new { start = at, end = at }, text = "s_kept = p; " } } });
            Assert.Contains("heap", await PointHint());

            // Closed without saving: the file's text on disk judges the caller again.
            await client.NotifyAsync("textDocument/didClose", new { textDocument = new { uri = sinkUri } });
            Assert.Contains("stack", await PointHint());
            await ShutDownCleanly(client, run);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>
    /// The load leaves out the SDK's generators nothing triggers; typing a generator's attribute brings it
    /// back at once, so code that relies on what it writes is judged as the compiler sees it: here the
    /// boxing of an enum read from a member only the JSON generator writes.
    /// </summary>
    [Fact]
    public async Task Typing_a_generators_attribute_brings_back_the_generator_the_load_left_out()
    {
        var root = TempProject("Json");
        try
        {
            const string text = "using System.Text.Json.Serialization;\npublic sealed record Point(int X, int Y);\n\npublic partial class PointContext : JsonSerializerContext { }\npublic static class Kinds\n{\n    public static object Kind() => PointContext.Default.Point.Kind;\n}\n";
            var file = Path.Combine(root, "Json.cs");
            File.WriteAllText(file, text);
            var (client, _, run) = await Start(root, trusted: true);
            var uri = UriPaths.ToUri(file);
            await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text } });
            await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(2), "the workspace load");
            async Task<string?> KindHint() =>
                (await client.RequestAsync("textDocument/inlayHint", HintRequest(uri)))["result"]!.AsArray()
                    .FirstOrDefault(h => h!["position"]!["line"]!.GetValue<int>() == 6)?["label"]!.GetValue<string>();
            // Without [JsonSerializable] nothing writes PointContext.Default: nothing binds, no verdict.
            Assert.Null(await KindHint());

            // Typed above the class: the JSON generator is back, Default.Point.Kind binds, and its enum is boxed.
            var at = new { line = 3, character = 0 };
            await client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version = 2 }, contentChanges = new[] { new { range = new { start = at, end = at }, text = "[JsonSerializable(typeof(Point))] " } } });
            Assert.Contains("boxed", await KindHint());
            await ShutDownCleanly(client, run);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    /// <summary>
    /// A call's hover says what its callee in another file allocates, and editing that callee changes it:
    /// the caller's summary is never served stale, and hints in the other open file are refreshed.
    /// </summary>
    [Fact]
    public async Task A_calls_summary_follows_an_edit_of_its_callee_in_another_file()
    {
        var root = TestPaths.Project("Net10App");
        var (client, _, run) = await Start(root, trusted: true);
        var callsFile = Path.Combine(root, "Calls.cs");
        var shapesFile = Path.Combine(root, "Shapes.cs");
        var calls = UriPaths.ToUri(callsFile);
        var shapes = UriPaths.ToUri(shapesFile);
        var callsText = File.ReadAllText(callsFile);
        var shapesText = File.ReadAllText(shapesFile);
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = shapes, languageId = "csharp", version = 1, text = shapesText } });
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri = calls, languageId = "csharp", version = 1, text = callsText } });
        await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(2), "the workspace load");

        var callLines = callsText.Split('\n');
        int line = Array.FindIndex(callLines, l => l.Contains("Geometry.Remember(r)", StringComparison.Ordinal));
        int character = callLines[line].IndexOf("Remember", StringComparison.Ordinal) + 2;
        async Task<string> Hover() => (await client.RequestAsync("textDocument/hover", new { textDocument = new { uri = calls }, position = new { line, character } }))["result"]!["contents"]!["value"]!.GetValue<string>();
        var before = await Hover();
        Assert.Contains("`Geometry.Remember(double)` allocates on each call: 1 heap", before);
        Assert.Contains("Shapes.cs:", before);

        // Remember now stores two circles.
        var shapeLines = shapesText.Split('\n');
        int edit = Array.FindIndex(shapeLines, l => l.Contains("s_last = new Circle(r);", StringComparison.Ordinal));
        int at = shapeLines[edit].IndexOf("s_last", StringComparison.Ordinal);
        int refreshes = client.ServerRequests.Count(r => r == "workspace/inlayHint/refresh");
        var position = new { line = edit, character = at };
        await client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri = shapes, version = 2 }, contentChanges = new[] { new { range = new { start = position, end = position }, text = "s_last = new Circle(r + 1); " } } });
        await LspTestClient.Eventually(() => client.ServerRequests.Count(r => r == "workspace/inlayHint/refresh") > refreshes, TimeSpan.FromMinutes(2), "a refresh after the callee edit");
        var after = await Hover();
        Assert.True(after.Contains("`Geometry.Remember(double)` allocates on each call: 2 heap", StringComparison.Ordinal), after);

        await ShutDownCleanly(client, run);
    }

    /// <summary>A net11.0 project with only SDK 10: the status names the missing SDK, and hints are judged ad hoc for net11.0.</summary>
    [Fact]
    public async Task A_project_whose_sdk_is_missing_gets_a_clear_status_and_hints_for_its_target()
    {
        Assert.Null(MsBuildRegistration.EnsureRegistered());
        var sdk11Installed = MsBuildRegistration.InstalledSdks[0].Major >= 11;
        var root = TestPaths.Project("Net11App");
        var (client, _, run) = await Start(root, trusted: true);
        var file = Path.Combine(root, "Shapes.cs");
        var uri = UriPaths.ToUri(file);
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = File.ReadAllText(file) } });
        await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(2), "the workspace load");

        var status = client.Notifications.Last(n => n["method"]!.GetValue<string>() == "allocationLens/status")["params"]!;
        var hints = (await client.RequestAsync("textDocument/inlayHint", HintRequest(uri)))["result"]!.AsArray();
        var hover = (await client.RequestAsync("textDocument/hover", new { textDocument = new { uri }, position = new { line = 14, character = 20 } }))["result"]!["contents"]!["value"]!.GetValue<string>();
        if (sdk11Installed)
        {
            Assert.Equal("ready", status["state"]!.GetValue<string>());
        }
        else
        {
            Assert.Equal("failed", status["state"]!.GetValue<string>());
            Assert.StartsWith("No project loaded. The .NET SDK for net11.0", status["message"]!.GetValue<string>());
            Assert.Contains($"The .NET SDK for net11.0 is not installed (found SDK {MsBuildRegistration.InstalledSdks[0]}", status["message"]!.GetValue<string>());
            Assert.Contains("Net11App.csproj uses the ad-hoc fallback judged for net11.0", status["message"]!.GetValue<string>());
            Assert.Contains("ad-hoc (The .NET SDK for net11.0 is not installed", hover);
        }
        // Either way the file is judged for its own target, with framework types known (the box is seen).
        Assert.Contains("Judged for .NET 11 (the net11.0 build, which apps on .NET 11 load)", hover);
        Assert.Equal(3, hints.Count);
        Assert.Contains(hints, h => h!["label"]!.GetValue<string>().Contains("boxed", StringComparison.Ordinal));

        await ShutDownCleanly(client, run);
    }

    [Fact]
    public async Task Untrusted_folder_never_evaluates_projects()
    {
        var root = TestPaths.Project("Net8App");
        var (client, _, run) = await Start(root, trusted: false);
        var file = Path.Combine(root, "Shapes.cs");
        var uri = UriPaths.ToUri(file);
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = File.ReadAllText(file) } });
        var hover = await client.RequestAsync("textDocument/hover", new { textDocument = new { uri }, position = new { line = 14, character = 20 } });
        var markdown = hover["result"]!["contents"]!["value"]!.GetValue<string>();
        // Judged ad hoc (net10.0, the server's framework), and says why.
        Assert.Contains("not trusted", markdown);
        Assert.DoesNotContain("workspace/inlayHint/refresh", client.ServerRequests);
        Assert.DoesNotContain("window/workDoneProgress/create", client.ServerRequests);
        var status = client.Notifications.Single(n => n["method"]!.GetValue<string>() == "allocationLens/status")["params"]!;
        Assert.Equal("limited", status["state"]!.GetValue<string>());
        Assert.Contains("Restricted Mode", status["message"]!.GetValue<string>());

        await ShutDownCleanly(client, run);
    }

    /// <summary>Hover on the non-escaping `new Circle(r)` of LibraryRuntimes/Lib/Shapes.cs once the projects are loaded.</summary>
    private static async Task<string> LibraryHover(string root, string runtime = "")
    {
        var (client, _, run) = await Start(root, trusted: true, runtime);
        var file = Path.Combine(TestPaths.Project("LibraryRuntimes"), "Lib", "Shapes.cs");
        var uri = UriPaths.ToUri(file);
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = File.ReadAllText(file) } });
        await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(2), "the workspace load");
        var hover = (await client.RequestAsync("textDocument/hover", new { textDocument = new { uri }, position = new { line = 15, character = 20 } }))["result"]!["contents"]!["value"]!.GetValue<string>();
        await ShutDownCleanly(client, run);
        return hover;
    }

    [Fact]
    public async Task A_library_two_apps_load_is_hinted_for_the_newest_and_the_hover_lists_the_other()
    {
        var hover = await LibraryHover(TestPaths.Project("LibraryRuntimes"));
        Assert.StartsWith("**stack**", hover);
        Assert.Contains("Judged for .NET 10 (the runtime of `App`, which references this library), optimized (Release, Tier-1)", hover);
        Assert.Contains("Also runs on .NET Framework (the runtime of `FxApp`, which references this library): **heap**.", hover);
    }

    [Fact]
    public async Task A_library_no_app_references_is_hinted_for_the_runtime_setting()
    {
        var hover = await LibraryHover(Path.Combine(TestPaths.Project("LibraryRuntimes"), "Lib"), runtime: "8.0");
        Assert.StartsWith("**heap**", hover);
        Assert.Contains("Judged for .NET 8 (no app in the workspace references this library; allocationLens.runtime is 8.0)", hover);
    }

    [Fact]
    public async Task A_global_json_pinning_a_missing_sdk_is_named_in_the_status_and_files_are_judged_on_their_own()
    {
        var root = TestPaths.Project("PinnedSdk");
        var (client, _, run) = await Start(root, trusted: true);
        var file = Path.Combine(root, "Pinned.cs");
        var uri = UriPaths.ToUri(file);
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = File.ReadAllText(file) } });
        await LspTestClient.Eventually(() => client.Notifications.Any(n => n["method"]!.GetValue<string>() == "allocationLens/status" && n["params"]!["state"]!.GetValue<string>() == "limited"), TimeSpan.FromMinutes(1), "the limited status");
        var status = client.Notifications.Last(n => n["method"]!.GetValue<string>() == "allocationLens/status")["params"]!["message"]!.GetValue<string>();
        Assert.Contains($"{Path.Combine(root, "global.json")} asks for .NET SDK 11.0.100-preview.3.25201.16 (rollForward latestPatch), which is not installed (installed: ", status);
        var hover = (await client.RequestAsync("textDocument/hover", new { textDocument = new { uri }, position = new { line = 5, character = 42 } }))["result"]!["contents"]!["value"]!.GetValue<string>();
        Assert.StartsWith("**heap**", hover);
        Assert.Contains("ad-hoc (" + Path.Combine(root, "global.json"), hover);
        await ShutDownCleanly(client, run);
    }
}
