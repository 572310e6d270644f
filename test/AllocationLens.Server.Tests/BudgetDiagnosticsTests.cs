using System.Text.Json.Nodes;
using AllocationLens.TestSupport;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>Allocation budgets in the editor: a hot method over budget is a warning in the Problems panel, and fixing it clears it.</summary>
public sealed class BudgetDiagnosticsTests
{
    private const string Source = """
        using System;
        public sealed class HotPathAttribute : Attribute { }
        public class Orders
        {
            private object? _last;
            [HotPath]
            public int Total(int x) { _last = new object(); return x; }
            public int Cold() { _last = new object(); return 1; }
        }
        """;

    private static JsonArray? LatestDiagnostics(LspTestClient client, string uri) =>
        client.Notifications.Where(n => n["method"]?.GetValue<string>() == "textDocument/publishDiagnostics" && n["params"]!["uri"]!.GetValue<string>() == uri)
            .Select(n => n["params"]!["diagnostics"]!.AsArray()).LastOrDefault();

    [Fact]
    public async Task A_hot_method_over_budget_is_a_warning_and_clears_when_fixed()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        const string uri = "file:///budgets/Orders.cs";
        await session.OpenAsync(uri, Source);

        await LspTestClient.Eventually(() => LatestDiagnostics(session.Client, uri) is { Count: 1 }, TimeSpan.FromSeconds(30), "a budget warning");
        var diagnostic = LatestDiagnostics(session.Client, uri)![0]!;
        Assert.Equal(2, diagnostic["severity"]!.GetValue<int>());
        Assert.Equal("budget", diagnostic["code"]!.GetValue<string>());
        Assert.Equal(6, diagnostic["range"]!["start"]!["line"]!.GetValue<int>()); // the method's name, not the cold method
        Assert.Contains("`Orders.Total` is marked [HotPath] (allocation-free) but allocates", diagnostic["message"]!.GetValue<string>());
        var related = diagnostic["relatedInformation"]!.AsArray();
        Assert.Single(related);
        Assert.Equal(6, related[0]!["location"]!["range"]!["start"]!["line"]!.GetValue<int>());

        // The warning links to Explain: a code action per site, sent back with the diagnostic as VS Code does.
        var actions = await session.Client.RequestAsync("textDocument/codeAction", new
        {
            textDocument = new { uri },
            range = diagnostic["range"],
            context = new { diagnostics = new[] { diagnostic } },
        });
        var explain = actions["result"]!.AsArray().Single(a => a!["command"]?["command"]?.GetValue<string>() == "allocationLens.explainAllocation")!;
        Assert.StartsWith("Explain: heap", explain["title"]!.GetValue<string>());
        Assert.Equal(6, explain["command"]!["arguments"]![1]!["line"]!.GetValue<int>());

        // Removing the allocation from the hot method clears the warning.
        await session.ChangeAsync(uri, 2, ServerSession.Edit(6, 38, 6, 50, "null"));
        await LspTestClient.Eventually(() => LatestDiagnostics(session.Client, uri) is { Count: 0 }, TimeSpan.FromSeconds(30), "the warning to clear");
        Assert.Equal(0, await session.ShutdownAsync());
    }

    [Fact]
    public async Task Cold_sites_do_not_break_a_budget_unless_it_counts_them()
    {
        const string source = """
            using System;
            public sealed class HotPathAttribute : Attribute { public bool CountCold { get; set; } }
            public static class Digits
            {
                [HotPath]
                public static int Of(char c) { if (c < '0') throw new FormatException("not a digit: " + c); return c - '0'; }
                [HotPath(CountCold = true)]
                public static int Strict(char c) { if (c < '0') throw new FormatException("not a digit: " + c); return c - '0'; }
            }
            """;
        await using var session = new ServerSession();
        await session.InitializeAsync();
        const string uri = "file:///budgets/Digits.cs";
        await session.OpenAsync(uri, source);

        // Only Strict, whose budget asks for cold sites, is over budget; Of's throw is left out.
        await LspTestClient.Eventually(() => LatestDiagnostics(session.Client, uri) is { Count: 1 }, TimeSpan.FromSeconds(30), "a budget warning");
        var diagnostic = LatestDiagnostics(session.Client, uri)![0]!;
        Assert.Equal(7, diagnostic["range"]!["start"]!["line"]!.GetValue<int>()); // Strict's name
        Assert.Contains("`Digits.Strict` is marked [HotPath] (allocation-free) but allocates: 2 heap or boxed site(s)", diagnostic["message"]!.GetValue<string>());
        Assert.Equal(0, await session.ShutdownAsync());
    }

    [Fact]
    public async Task A_hot_methods_budget_counts_its_source_callees_and_follows_their_edits()
    {
        const string source = """
            using System;
            public sealed class HotPathAttribute : Attribute { }
            public static class Orders
            {
                private static object? s_last;
                [HotPath]
                public static int Total(int x) { Keep(x); return x; }
                static void Keep(int x) { s_last = new int[x]; }
            }
            """;
        await using var session = new ServerSession();
        await session.InitializeAsync();
        const string uri = "file:///budgets/Callees.cs";
        await session.OpenAsync(uri, source);
        await LspTestClient.Eventually(() => LatestDiagnostics(session.Client, uri) is { Count: 1 }, TimeSpan.FromSeconds(30), "a budget warning");
        var diagnostic = LatestDiagnostics(session.Client, uri)![0]!;
        Assert.Contains("with its callees", diagnostic["message"]!.GetValue<string>());
        Assert.Contains("calls `Orders.Keep(int)` (line 7), which allocates 1 heap", diagnostic["message"]!.GetValue<string>());
        var related = Assert.Single(diagnostic["relatedInformation"]!.AsArray())!;
        Assert.Equal(6, related["location"]!["range"]!["start"]!["line"]!.GetValue<int>());
        Assert.Contains("allocates on each call: 1 heap", related["message"]!.GetValue<string>());

        // The callee stops allocating: the hot method is within its budget again.
        await session.ChangeAsync(uri, 2, ServerSession.Edit(7, 39, 7, 49, "null"));
        await LspTestClient.Eventually(() => LatestDiagnostics(session.Client, uri) is { Count: 0 }, TimeSpan.FromSeconds(30), "the warning to clear");
    }

    [Fact]
    public async Task Files_without_hot_methods_get_no_budget_diagnostics()
    {
        await using var session = new ServerSession();
        await session.InitializeAsync();
        const string uri = "file:///budgets/Plain.cs";
        await session.OpenAsync(uri, "public class Plain { public object Make() => new object(); }");
        var hints = await session.HintsAsync(uri); // the document is served: by now any check has had its chance
        Assert.NotEmpty(hints);
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        Assert.Null(LatestDiagnostics(session.Client, uri));
        Assert.Equal(0, await session.ShutdownAsync());
    }

    /// <summary>A budgets file written on disk (a checkout, another editor) is applied with no edit in the open file.</summary>
    [Fact]
    public async Task A_budgets_file_changed_on_disk_is_checked_again_without_an_edit()
    {
        var root = Path.Combine(Path.GetTempPath(), "allocation-lens-budgets-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            await using var session = new ServerSession();
            await session.InitializeAsync(root);
            var uri = UriPaths.ToUri(Path.Combine(root, "Orders.cs"));
            await session.OpenAsync(uri, "public class Orders { private object? _last; public int Total() { _last = new object(); return 1; } }");
            Assert.NotEmpty(await session.HintsAsync(uri));
            Assert.Null(LatestDiagnostics(session.Client, uri));

            var config = Path.Combine(root, ".allocationlens.json");
            File.WriteAllText(config, """{ "budgets": [ { "method": "Orders.Total" } ] }""");
            await session.Client.NotifyAsync("workspace/didChangeWatchedFiles", new { changes = new[] { new { uri = UriPaths.ToUri(config), type = 1 } } });
            await LspTestClient.Eventually(() => LatestDiagnostics(session.Client, uri) is { Count: 1 }, TimeSpan.FromSeconds(30), "a budget warning");
            Assert.Contains("Orders.Total", LatestDiagnostics(session.Client, uri)![0]!["message"]!.GetValue<string>());
            Assert.Equal(0, await session.ShutdownAsync());
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
