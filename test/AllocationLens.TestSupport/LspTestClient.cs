using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AllocationLens.Protocol;

namespace AllocationLens.TestSupport;

/// <summary>
/// A minimal LSP client over in-memory pipes, built on the protocol layer's framing: sends requests
/// and notifications, matches responses by id, records notifications, and answers the server's own
/// requests (progress, refresh) the way VS Code does.
/// </summary>
public sealed class LspTestClient : IAsyncDisposable
{
    private readonly Pipe? _toServer;
    private readonly Pipe? _fromServer;
    private readonly Stream _send;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly MessageReader _reader;
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly Task _pump;
    private int _nextId;

    /// <summary>A client on in-memory pipes: give <see cref="ServerInput"/> and <see cref="ServerOutput"/> to an in-process server.</summary>
    public LspTestClient()
    {
        _toServer = new Pipe();
        _fromServer = new Pipe();
        _send = _toServer.Writer.AsStream();
        _reader = new MessageReader(_fromServer.Reader.AsStream());
        ServerInput = _toServer.Reader.AsStream();
        ServerOutput = _fromServer.Writer.AsStream();
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>A client of a server in another process: its stdin and stdout.</summary>
    public LspTestClient(Stream serverStdin, Stream serverStdout)
    {
        _send = serverStdin;
        _reader = new MessageReader(serverStdout);
        ServerInput = Stream.Null;
        ServerOutput = Stream.Null;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Give these to the server under test (in-memory pipes only).</summary>
    public Stream ServerInput { get; }
    public Stream ServerOutput { get; }

    public ConcurrentQueue<JsonObject> Notifications { get; } = new();
    public ConcurrentQueue<string> ServerRequests { get; } = new();

    public async Task SendRawAsync(string raw) => await SendBytesAsync(Encoding.UTF8.GetBytes(raw));

    public async Task SendBytesAsync(byte[] bytes)
    {
        // The pump answers server requests while a test sends: frames must not interleave.
        await _sendLock.WaitAsync();
        try
        {
            await _send.WriteAsync(bytes);
            await _send.FlushAsync();
        }
        finally { _sendLock.Release(); }
    }

    public Task SendFramedAsync(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return SendBytesAsync([.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body]);
    }

    public Task NotifyAsync(string method, object? parameters) =>
        SendFramedAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", method, @params = parameters }, Json.Options));

    /// <summary>Sends a request and returns the whole response object (result or error).</summary>
    public async Task<JsonObject> RequestAsync(string method, object? parameters, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _nextId);
        var tcs = WaitForResponse(id.ToString());
        await SendFramedAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", id, method, @params = parameters }, Json.Options));
        try { return await tcs.WaitAsync(timeout ?? TimeSpan.FromSeconds(60)); }
        finally { _pending.TryRemove(id.ToString(), out _); } // delivered: long sessions must not keep every response
    }

    /// <summary>Registers interest in the response with this raw id (for hand-written requests).</summary>
    public Task<JsonObject> WaitForResponse(string rawId) => _pending.GetOrAdd(rawId, _ => new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Responses that arrive with "id": null (parse errors).</summary>
    public ConcurrentQueue<JsonObject> OrphanResponses { get; } = new();

    public int NextId() => Interlocked.Increment(ref _nextId);

    private async Task PumpAsync()
    {
        while (true)
        {
            var frame = await _reader.ReadAsync();
            if (frame.IsEnd || frame.Body is null) return;
            var message = JsonNode.Parse(frame.Body)!.AsObject();
            bool hasMethod = message.TryGetPropertyValue("method", out var method);
            bool hasId = message.TryGetPropertyValue("id", out var id);
            if (hasMethod && hasId)
            {
                ServerRequests.Enqueue(method!.GetValue<string>());
                await SendFramedAsync(JsonSerializer.Serialize(new { jsonrpc = "2.0", id = id!.ToJsonString().Trim('"'), result = (object?)null }));
            }
            else if (hasMethod) Notifications.Enqueue(message);
            else if (id is null) OrphanResponses.Enqueue(message);
            else _pending.GetOrAdd(id.ToJsonString().Trim('"'), _ => new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(message);
        }
    }

    /// <summary>Polls until the condition holds, for asynchronous effects (no fixed sleeps).</summary>
    public static async Task Eventually(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>As <see cref="Eventually(Func{bool}, TimeSpan, string)"/>, for a condition that asks the server.</summary>
    public static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition().ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_toServer is not null) await _toServer.Writer.CompleteAsync();
        else _send.Dispose();
        if (_fromServer is not null) await _fromServer.Writer.CompleteAsync();
        try { await _pump.WaitAsync(TimeSpan.FromSeconds(5)); } catch (Exception) { }
    }
}
