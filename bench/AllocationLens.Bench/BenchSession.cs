using AllocationLens.Server;
using AllocationLens.TestSupport;

namespace AllocationLens.Bench;

/// <summary>A real server on in-memory pipes with one open document: how every benchmark talks to it.</summary>
public sealed class BenchSession : IAsyncDisposable
{
    public LspTestClient Client { get; } = new();
    public string Uri { get; }
    public LanguageServer Server { get; private set; } = null!;

    private BenchSession(string uri) => Uri = uri;

    public static async Task<BenchSession> OpenAsync(string uri, string text, string? rootPath = null)
    {
        var session = new BenchSession(uri);
        var server = new LanguageServer(session.Client.ServerInput, session.Client.ServerOutput) { LoadProjects = rootPath is not null };
        session.Server = server;
        _ = server.RunAsync();
        await session.Client.RequestAsync("initialize", new
        {
            processId = (int?)null,
            rootUri = rootPath is null ? null : UriPaths.ToUri(rootPath),
            capabilities = new { workspace = new { inlayHint = new { refreshSupport = rootPath is not null } } },
        });
        await session.Client.NotifyAsync("initialized", new { });
        await session.Client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text } });
        return session;
    }

    /// <summary>Sends one incremental change, its range in <paramref name="before"/>'s coordinates, as an editor would.</summary>
    public Task ChangeAsync(int version, Microsoft.CodeAnalysis.Text.SourceText before, Microsoft.CodeAnalysis.Text.TextChange change)
    {
        var start = before.Lines.GetLinePosition(change.Span.Start);
        var end = before.Lines.GetLinePosition(change.Span.End);
        return Client.NotifyAsync("textDocument/didChange", new
        {
            textDocument = new { uri = Uri, version },
            contentChanges = new[] { new { range = new { start = new { line = start.Line, character = start.Character }, end = new { line = end.Line, character = end.Character } }, text = change.NewText } },
        });
    }

    public Task<System.Text.Json.Nodes.JsonObject> HintsAsync(int fromLine, int toLine) =>
        Client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri = Uri }, range = new { start = new { line = fromLine, character = 0 }, end = new { line = toLine, character = 0 } } });

    public async ValueTask DisposeAsync()
    {
        await Client.RequestAsync("shutdown", null);
        await Client.NotifyAsync("exit", null);
        await Client.DisposeAsync();
    }
}
