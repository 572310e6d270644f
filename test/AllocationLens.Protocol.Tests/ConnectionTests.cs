using System.Text.Json;
using System.Text.Json.Nodes;
using AllocationLens.Protocol;
using AllocationLens.TestSupport;
using Xunit;

namespace AllocationLens.Protocol.Tests;

/// <summary>The JSON-RPC connection and LSP lifecycle, driven over in-memory pipes.</summary>
public sealed class ConnectionTests : IAsyncLifetime
{
    private readonly LspTestClient _client = new();
    private JsonRpcConnection _connection = null!;
    private Task<int> _run = null!;
    private readonly List<string> _log = new();
    private readonly TaskCompletionSource _slowStarted = new();

    public Task InitializeAsync()
    {
        _connection = new JsonRpcConnection(_client.ServerInput, _client.ServerOutput, line => { lock (_log) _log.Add(line); });
        _connection.OnRequest("initialize", (p, ct) => Task.FromResult<object?>(new { capabilities = new { } }));
        _connection.OnRequest("echo", (p, ct) => Task.FromResult<object?>(p));
        _connection.OnRequest("typed", (p, ct) => Task.FromResult<object?>(Json.Params<EchoParams>(p).Text.Length));
        _connection.OnRequest("boom", (p, ct) => throw new InvalidOperationException("kaput"));
        _connection.OnRequest("stale", (p, ct) => throw new JsonRpcException(ErrorCodes.ContentModified, "changed"));
        _connection.OnRequest("slow", async (p, ct) => { _slowStarted.TrySetResult(); await Task.Delay(Timeout.Infinite, ct); return null; });
        _connection.OnNotification("note", p => throw new InvalidOperationException("notification handler failed"));
        _run = _connection.RunAsync();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    private sealed record EchoParams(string Text);

    private static int? ErrorCode(JsonObject response) => response["error"]?["code"]?.GetValue<int>();

    private Task Initialize() => _client.RequestAsync("initialize", new { processId = (int?)null, capabilities = new { } });

    [Fact]
    public async Task Requests_before_initialize_are_refused_with_32002()
    {
        Assert.Equal(ErrorCodes.ServerNotInitialized, ErrorCode(await _client.RequestAsync("echo", new { })));
        await Initialize();
        Assert.Null(ErrorCode(await _client.RequestAsync("echo", new { text = "x" })));
    }

    [Fact]
    public async Task Errors_map_to_their_codes_and_the_session_survives()
    {
        await Initialize();
        Assert.Equal(ErrorCodes.MethodNotFound, ErrorCode(await _client.RequestAsync("no/such/method", null)));
        Assert.Equal(ErrorCodes.InvalidParams, ErrorCode(await _client.RequestAsync("typed", new { wrong = 1 })));
        Assert.Equal(ErrorCodes.InvalidParams, ErrorCode(await _client.RequestAsync("typed", null)));
        Assert.Equal(ErrorCodes.InternalError, ErrorCode(await _client.RequestAsync("boom", null)));
        Assert.Equal(ErrorCodes.ContentModified, ErrorCode(await _client.RequestAsync("stale", null)));
        await _client.NotifyAsync("note", new { });
        await _client.NotifyAsync("unknown/notification", new { });
        var echo = await _client.RequestAsync("echo", new { text = "still alive" });
        Assert.Equal("still alive", echo["result"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Malformed_json_gets_a_parse_error_with_null_id()
    {
        await Initialize();
        await _client.SendFramedAsync("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":");
        await LspTestClient.Eventually(() => !_client.OrphanResponses.IsEmpty, TimeSpan.FromSeconds(10), "a parse error");
        _client.OrphanResponses.TryDequeue(out var error);
        Assert.Equal(ErrorCodes.ParseError, ErrorCode(error!));
        Assert.True(error!.ContainsKey("id"));
        Assert.Null(error["id"]);
    }

    [Theory]
    [InlineData("[1,2,3]")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":41}")]
    [InlineData("{\"jsonrpc\":\"2.0\",\"id\":{\"nested\":true},\"method\":\"echo\"}")]
    public async Task Invalid_requests_get_32600(string json)
    {
        await Initialize();
        var id = json.Contains("\"id\":41") ? "41" : null;
        var pending = id is null ? null : _client.WaitForResponse(id);
        await _client.SendFramedAsync(json);
        JsonObject response;
        if (pending is not null) response = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        else
        {
            await LspTestClient.Eventually(() => !_client.OrphanResponses.IsEmpty, TimeSpan.FromSeconds(10), "an error");
            _client.OrphanResponses.TryDequeue(out response!);
        }
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(response));
    }

    [Fact]
    public async Task Bad_frames_do_not_end_the_session()
    {
        await Initialize();
        await _client.SendRawAsync("Content-Length: nope\r\n\r\n");
        await _client.SendRawAsync("X-Whatever: 1\r\n\r\n");
        var echo = await _client.RequestAsync("echo", new { text = "after garbage" });
        Assert.Equal("after garbage", echo["result"]!["text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Cancel_request_answers_32800()
    {
        await Initialize();
        int id = _client.NextId();
        var pending = _client.WaitForResponse(id.ToString());
        await _client.SendFramedAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method = "slow" }));
        await _slowStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await _client.NotifyAsync("$/cancelRequest", new { id });
        Assert.Equal(ErrorCodes.RequestCancelled, ErrorCode(await pending.WaitAsync(TimeSpan.FromSeconds(10))));
    }

    [Fact]
    public async Task Shutdown_then_exit_ends_with_code_0_and_refuses_requests_in_between()
    {
        await Initialize();
        Assert.Null(ErrorCode(await _client.RequestAsync("shutdown", null)));
        Assert.Equal(ErrorCodes.InvalidRequest, ErrorCode(await _client.RequestAsync("echo", new { })));
        await _client.NotifyAsync("exit", null);
        Assert.Equal(0, await _run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Exit_without_shutdown_ends_with_code_1()
    {
        await Initialize();
        await _client.NotifyAsync("exit", null);
        Assert.Equal(1, await _run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Progress_notifications_reach_the_client()
    {
        await Initialize();
        await _connection.NotifyAsync("$/progress", new { token = "t", value = new { kind = "begin", title = "loading" } });
        await LspTestClient.Eventually(() => _client.Notifications.Any(n => n["method"]!.GetValue<string>() == "$/progress"), TimeSpan.FromSeconds(10), "$/progress");
        var progress = _client.Notifications.First(n => n["method"]!.GetValue<string>() == "$/progress");
        Assert.Equal("begin", progress["params"]!["value"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_to_client_requests_complete_with_the_clients_result()
    {
        await Initialize();
        var result = await _connection.RequestAsync("workspace/inlayHint/refresh", null).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(JsonValueKind.Null, result.ValueKind);
        Assert.Contains("workspace/inlayHint/refresh", _client.ServerRequests);
    }
}
