using System.Text.Json.Nodes;
using AllocationLens.Server;
using AllocationLens.TestSupport;

namespace AllocationLens.Server.Tests;

/// <summary>A real LanguageServer wired to a test client through pipes.</summary>
public sealed class ServerSession : IAsyncDisposable
{
    public LspTestClient Client { get; } = new();
    public LanguageServer Server { get; }
    public Task<int> Run { get; }

    public ServerSession(bool loadProjects = false, Func<string, Task>? workStarted = null, Func<string, Task>? documentStreamed = null, Action<CancellationToken>? sliceStarted = null)
    {
        Server = new LanguageServer(Client.ServerInput, Client.ServerOutput)
        {
            LoadProjects = loadProjects, WorkStarted = workStarted, DocumentStreamed = documentStreamed, SliceStarted = sliceStarted,
        };
        Run = Server.RunAsync();
    }

    public async Task InitializeAsync(string? rootPath = null, bool trusted = true, bool callSummaryHints = false)
    {
        var response = await Client.RequestAsync("initialize", new
        {
            processId = (int?)null,
            rootUri = rootPath is null ? null : UriPaths.ToUri(rootPath),
            capabilities = new { workspace = new { inlayHint = new { refreshSupport = true }, codeLens = new { refreshSupport = true } }, window = new { workDoneProgress = true } },
            initializationOptions = new { trusted, callSummaryHints },
        });
        if (response["error"] is not null) throw new InvalidOperationException(response.ToJsonString());
        await Client.NotifyAsync("initialized", new { });
    }

    public Task OpenAsync(string uri, string text, int version = 1) =>
        Client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version, text } });

    public Task ChangeAsync(string uri, int version, params object[] changes) =>
        Client.NotifyAsync("textDocument/didChange", new { textDocument = new { uri, version }, contentChanges = changes });

    public static object Edit(int line, int character, int endLine, int endCharacter, string text) =>
        new { range = new { start = new { line, character }, end = new { line = endLine, character = endCharacter } }, text };

    public async Task<JsonArray> HintsAsync(string uri, int fromLine = 0, int toLine = 10_000)
    {
        var response = await Client.RequestAsync("textDocument/inlayHint", new
        {
            textDocument = new { uri },
            range = new { start = new { line = fromLine, character = 0 }, end = new { line = toLine, character = 0 } },
        });
        if (response["error"] is not null) throw new InvalidOperationException(response.ToJsonString());
        return response["result"]!.AsArray();
    }

    public static IEnumerable<(int Line, int Character, string Label)> Labels(JsonArray hints) =>
        hints.Select(h => (h!["position"]!["line"]!.GetValue<int>(), h["position"]!["character"]!.GetValue<int>(), h["label"]!.GetValue<string>()));

    public async Task<int> ShutdownAsync()
    {
        await Client.RequestAsync("shutdown", null);
        await Client.NotifyAsync("exit", null);
        return await Run.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync() => await Client.DisposeAsync();
}
