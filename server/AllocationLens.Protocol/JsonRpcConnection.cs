using System.Collections.Concurrent;
using System.Text.Json;

namespace AllocationLens.Protocol;

/// <summary>A request handler: params in, result out. Throw <see cref="JsonRpcException"/> for a specific error.</summary>
public delegate Task<object?> RequestHandler(JsonElement? parameters, CancellationToken cancellationToken);

/// <summary>A notification handler. Runs on the reading loop, in order: this is where state changes.</summary>
public delegate void NotificationHandler(JsonElement? parameters);

/// <summary>
/// A JSON-RPC 2.0 endpoint with the LSP lifecycle: until <c>initialize</c> every request is answered
/// with -32002; after <c>shutdown</c> requests are invalid; <c>exit</c> ends the loop. Notifications run
/// in order on the loop (the one thread that mutates state); requests run concurrently, each with a
/// token that <c>$/cancelRequest</c> cancels. No handler failure ends the session: it becomes an error
/// response and a log line.
/// </summary>
public sealed class JsonRpcConnection
{
    private readonly MessageReader _reader;
    private readonly MessageWriter _writer;
    private readonly Dictionary<string, RequestHandler> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NotificationHandler> _notifications = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _inFlight = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _outgoing = new();
    private readonly Action<string> _log;
    private int _nextOutgoingId;

    public JsonRpcConnection(Stream input, Stream output, Action<string>? log = null)
    {
        _reader = new MessageReader(input);
        _writer = new MessageWriter(output);
        _log = log ?? (_ => { });
    }

    public LifecycleState State { get; private set; } = LifecycleState.Created;

    /// <summary>Registers a request method. <c>initialize</c> and <c>shutdown</c> are handled here; register them to add behaviour.</summary>
    public void OnRequest(string method, RequestHandler handler) => _requests[method] = handler;
    public void OnNotification(string method, NotificationHandler handler) => _notifications[method] = handler;

    public Task NotifyAsync(string method, object? parameters) => _writer.WriteAsync(new NotificationMessage(method, parameters));

    /// <summary>A request to the client (work-done progress, inlay hint refresh). Completes with the client's result.</summary>
    public async Task<JsonElement> RequestAsync(string method, object? parameters, CancellationToken cancellationToken = default)
    {
        var id = Interlocked.Increment(ref _nextOutgoingId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _outgoing[id] = tcs;
        using var _ = cancellationToken.Register(() => tcs.TrySetCanceled());
        await _writer.WriteAsync(new RequestMessage(JsonSerializer.SerializeToElement("s" + id), method, parameters), cancellationToken).ConfigureAwait(false);
        return await tcs.Task.ConfigureAwait(false);
    }

    /// <summary>Reads and dispatches until <c>exit</c> or end of input. Returns the process exit code (0 after shutdown).</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Frame frame;
            try
            {
                frame = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            catch (IOException ex)
            {
                _log($"input closed: {ex.Message}");
                break;
            }
            if (frame.IsEnd) break;
            if (frame.Error is not null)
            {
                _log($"dropped a malformed frame: {frame.Error}");
                await SendErrorAsync(null, ErrorCodes.ParseError, frame.Error).ConfigureAwait(false);
                continue;
            }
            if (await DispatchAsync(frame.Body!).ConfigureAwait(false)) break;
        }
        foreach (var cts in _inFlight.Values) cts.Cancel();
        return State == LifecycleState.ShutDown || State == LifecycleState.Exited && _shutdownBeforeExit ? 0 : 1;
    }

    private bool _shutdownBeforeExit;

    /// <summary>Handles one message. Returns true when the loop must stop (exit).</summary>
    private async Task<bool> DispatchAsync(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException ex)
        {
            _log($"parse error: {ex.Message}");
            await SendErrorAsync(null, ErrorCodes.ParseError, $"parse error: {ex.Message}").ConfigureAwait(false);
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                await SendErrorAsync(null, ErrorCodes.InvalidRequest, "a message must be a JSON object").ConfigureAwait(false);
                return false;
            }
            JsonElement? id = root.TryGetProperty("id", out var idElement) && idElement.ValueKind is JsonValueKind.String or JsonValueKind.Number ? idElement.Clone() : null;
            bool hasMethod = root.TryGetProperty("method", out var methodElement) && methodElement.ValueKind == JsonValueKind.String;
            JsonElement? parameters = root.TryGetProperty("params", out var p) ? p.Clone() : null;

            if (!hasMethod)
            {
                if (id is { } responseId && (root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _)))
                {
                    CompleteOutgoing(responseId, root);
                    return false;
                }
                await SendErrorAsync(id, ErrorCodes.InvalidRequest, "a request needs a string 'method'").ConfigureAwait(false);
                return false;
            }
            if (!root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
            {
                if (id is not null) await SendErrorAsync(id, ErrorCodes.InvalidRequest, "jsonrpc must be \"2.0\"").ConfigureAwait(false);
                else _log("dropped a notification without jsonrpc \"2.0\"");
                return false;
            }
            string method = methodElement.GetString()!;
            bool isRequest = root.TryGetProperty("id", out var anyId) && anyId.ValueKind != JsonValueKind.Undefined;
            if (isRequest && id is null)
            {
                await SendErrorAsync(null, ErrorCodes.InvalidRequest, "id must be a string or a number").ConfigureAwait(false);
                return false;
            }
            return isRequest ? await HandleRequestAsync(id!.Value, method, parameters).ConfigureAwait(false) : HandleNotification(method, parameters);
        }
    }

    private bool HandleNotification(string method, JsonElement? parameters)
    {
        switch (method)
        {
            case "exit":
                _shutdownBeforeExit = State == LifecycleState.ShutDown;
                State = LifecycleState.Exited;
                return true;
            case "$/cancelRequest":
                if (parameters is { ValueKind: JsonValueKind.Object } cp && cp.TryGetProperty("id", out var cancelId) && _inFlight.TryGetValue(Key(cancelId), out var cts))
                    cts.Cancel();
                return false;
        }
        if (State != LifecycleState.Initialized)
        {
            if (method != "initialized") _log($"dropped '{method}' before initialize");
            return false;
        }
        if (!_notifications.TryGetValue(method, out var handler))
        {
            if (!method.StartsWith("$/", StringComparison.Ordinal)) _log($"no handler for notification '{method}'");
            return false;
        }
        try
        {
            handler(parameters);
        }
        catch (Exception ex)
        {
            _log($"notification '{method}' failed: {ex.GetType().Name}: {ex.Message}");
        }
        return false;
    }

    private async Task<bool> HandleRequestAsync(JsonElement id, string method, JsonElement? parameters)
    {
        if (method == "initialize")
        {
            if (State != LifecycleState.Created)
            {
                await SendErrorAsync(id, ErrorCodes.InvalidRequest, "initialize was already called").ConfigureAwait(false);
                return false;
            }
            // Initialize runs on the loop: nothing else may happen before it answers.
            await RunRequestAsync(id, method, parameters, CancellationToken.None).ConfigureAwait(false);
            return false;
        }
        if (State == LifecycleState.Created)
        {
            await SendErrorAsync(id, ErrorCodes.ServerNotInitialized, "the server is not initialized").ConfigureAwait(false);
            return false;
        }
        if (State == LifecycleState.ShutDown)
        {
            await SendErrorAsync(id, ErrorCodes.InvalidRequest, "the server is shutting down").ConfigureAwait(false);
            return false;
        }
        if (method == "shutdown")
        {
            State = LifecycleState.ShutDown;
            foreach (var running in _inFlight.Values) running.Cancel();
            await RunRequestAsync(id, method, parameters, CancellationToken.None).ConfigureAwait(false);
            return false;
        }
        if (!_requests.ContainsKey(method))
        {
            await SendErrorAsync(id, ErrorCodes.MethodNotFound, $"method not found: {method}").ConfigureAwait(false);
            return false;
        }
        var cts = new CancellationTokenSource();
        var key = Key(id);
        _inFlight[key] = cts;
        _ = Task.Run(async () =>
        {
            try { await RunRequestAsync(id, method, parameters, cts.Token).ConfigureAwait(false); }
            finally
            {
                _inFlight.TryRemove(key, out _);
                cts.Dispose();
            }
        });
        return false;
    }

    private async Task RunRequestAsync(JsonElement id, string method, JsonElement? parameters, CancellationToken cancellationToken)
    {
        try
        {
            object? result = _requests.TryGetValue(method, out var handler) ? await handler(parameters, cancellationToken).ConfigureAwait(false) : null;
            if (method == "initialize") State = LifecycleState.Initialized;
            await _writer.WriteAsync(new ResponseMessage(id, result)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await SendErrorAsync(id, ErrorCodes.RequestCancelled, "request cancelled").ConfigureAwait(false);
        }
        catch (JsonRpcException ex)
        {
            await SendErrorAsync(id, ex.Code, ex.Message).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log($"request '{method}' failed: {ex}");
            await SendErrorAsync(id, ErrorCodes.InternalError, $"{method} failed: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
        }
    }

    private void CompleteOutgoing(JsonElement id, JsonElement response)
    {
        var key = id.ValueKind == JsonValueKind.String ? id.GetString()!.TrimStart('s') : id.ToString();
        if (!_outgoing.TryRemove(key, out var tcs)) return;
        if (response.TryGetProperty("error", out var error)) tcs.TrySetException(new JsonRpcException(error.TryGetProperty("code", out var c) && c.TryGetInt32(out var code) ? code : ErrorCodes.InternalError, error.ToString()));
        else tcs.TrySetResult(response.TryGetProperty("result", out var result) ? result.Clone() : default);
    }

    private Task SendErrorAsync(JsonElement? id, int code, string message) =>
        _writer.WriteAsync(new ErrorResponseMessage(id, new ResponseError(code, message)));

    private static string Key(JsonElement id) => id.ValueKind == JsonValueKind.String ? "s:" + id.GetString() : "n:" + id.GetRawText();
}

public enum LifecycleState { Created, Initialized, ShutDown, Exited }
