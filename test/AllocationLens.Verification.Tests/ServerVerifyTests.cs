using Xunit;
using System.Text.Json.Nodes;
using AllocationLens.Server;
using AllocationLens.TestSupport;

namespace AllocationLens.Verification.Tests;

/// <summary>"Verify with JIT" through the language server, as the editor uses it.</summary>
[Collection("verification")]
public class ServerVerifyTests(VerificationEnvironment environment)
{
    private const string Source = """
        namespace Demo;
        public sealed class Point { public int X; public int Y; }
        public class Shapes
        {
            private object? _kept;
            public int Local() { var p = new Point { X = 1, Y = 2 }; return p.X + p.Y; }
            public void Keep() { _kept = new Point(); }
            public string Day(System.DayOfWeek d) => d.ToString();
        }
        """;

    private sealed class Session : IAsyncDisposable
    {
        public LspTestClient Client { get; } = new();
        private readonly Task<int> _run;
        public Session() => _run = new LanguageServer(Client.ServerInput, Client.ServerOutput) { LoadProjects = false }.RunAsync();

        public async Task StartAsync(string root, bool trusted)
        {
            await Client.RequestAsync("initialize", new { processId = (int?)null, rootUri = UriPaths.ToUri(root), capabilities = new { }, initializationOptions = new { trusted } });
            await Client.NotifyAsync("initialized", new { });
        }

        public async Task<JsonObject> VerifyAsync(string uri, object? position = null) =>
            (await Client.RequestAsync("workspace/executeCommand",
                new { command = LanguageServer.VerifyCommand, arguments = position is null ? new object[] { uri } : [uri, position] }, TimeSpan.FromMinutes(5)))["result"]!.AsObject();

        public async Task<Dictionary<int, string>> LabelsAsync(string uri)
        {
            var response = await Client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri }, range = new { start = new { line = 0, character = 0 }, end = new { line = 100, character = 0 } } });
            return response["result"]!.AsArray().ToDictionary(h => h!["position"]!["line"]!.GetValue<int>(), h => h!["label"]!.GetValue<string>());
        }

        public async ValueTask DisposeAsync()
        {
            await Client.RequestAsync("shutdown", null);
            await Client.NotifyAsync("exit", null);
            await _run.WaitAsync(TimeSpan.FromSeconds(30));
            await Client.DisposeAsync();
        }
    }

    private string WriteSource(out string uri)
    {
        var dir = Path.Combine(environment.RepositoryRoot, "artifacts", "verify-server", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "Shapes.cs");
        File.WriteAllText(path, Source);
        uri = UriPaths.ToUri(path);
        return dir;
    }

    [Fact]
    public async Task Verified_hints_change_form_and_an_edit_drops_only_the_touched_member()
    {
        var dir = WriteSource(out var uri);
        await using var session = new Session();
        await session.StartAsync(dir, trusted: true);
        await session.Client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = Source } });

        var result = await session.VerifyAsync(uri);
        Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
        Assert.Contains("10.0.12", result["message"]!.GetValue<string>());

        var labels = await session.LabelsAsync(uri);
        Assert.Equal("stack ✓", labels[5]); // the ad-hoc analysis judges net10.0; the JIT of .NET 10 agrees
        Assert.Equal("heap ✓", labels[6]);

        var hover = await session.Client.RequestAsync("textDocument/hover", new { textDocument = new { uri }, position = new { line = 6, character = 36 } });
        var markdown = hover["result"]!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("JIT .NET 10.0.12: heap", markdown);
        Assert.Contains("without a profile", markdown);

        // The enum's box happens inside the runtime's ToString: no IL instruction for the JIT to judge, and the hover says so in one line.
        Assert.Equal("boxed", labels[7]);
        hover = await session.Client.RequestAsync("textDocument/hover", new { textDocument = new { uri }, position = new { line = 7, character = 49 } });
        markdown = hover["result"]!["contents"]!["value"]!.GetValue<string>();
        Assert.Contains("JIT not judged: " + VerificationRun.NoInstruction, markdown);

        // Typing inside Local: its verdict is no longer verified; Keep's still is.
        await session.Client.NotifyAsync("textDocument/didChange", new
        {
            textDocument = new { uri, version = 2 },
            contentChanges = new[] { new { range = new { start = new { line = 5, character = 62 }, end = new { line = 5, character = 62 } }, text = " " } },
        });
        labels = await session.LabelsAsync(uri);
        Assert.Equal("stack", labels[5]);
        Assert.Equal("heap ✓", labels[6]);

        // The file now differs from what is on disk: the JIT would compile stale code.
        var unsaved = await session.VerifyAsync(uri);
        Assert.False(unsaved["ok"]!.GetValue<bool>());
        Assert.Contains("Save the file first", unsaved["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Verifying_one_method_verifies_only_that_method()
    {
        var dir = WriteSource(out var uri);
        await using var session = new Session();
        await session.StartAsync(dir, trusted: true);
        await session.Client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = Source } });
        var result = await session.VerifyAsync(uri, new { line = 6, character = 20 });
        Assert.True(result["ok"]!.GetValue<bool>(), result.ToJsonString());
        Assert.Contains("in Keep", result["message"]!.GetValue<string>());
        var labels = await session.LabelsAsync(uri);
        Assert.Equal(("stack", "heap ✓"), (labels[5], labels[6]));
    }

    [Fact]
    public async Task An_untrusted_workspace_never_builds()
    {
        var dir = WriteSource(out var uri);
        await using var session = new Session();
        await session.StartAsync(dir, trusted: false);
        await session.Client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = Source } });
        var result = await session.VerifyAsync(uri);
        Assert.False(result["ok"]!.GetValue<bool>());
        Assert.Contains("trusted workspace", result["message"]!.GetValue<string>());
    }
}
