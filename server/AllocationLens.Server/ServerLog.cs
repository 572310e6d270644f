using AllocationLens.Protocol;

namespace AllocationLens.Server;

/// <summary>
/// Logging for the server: every line to stderr, and to the client as window/logMessage once the
/// connection is up. Never stdout: that stream belongs to the protocol.
/// </summary>
public sealed class ServerLog
{
    private JsonRpcConnection? _connection;

    public void Attach(JsonRpcConnection connection) => _connection = connection;

    public void Info(string message) => Write(3, message);
    public void Warning(string message) => Write(2, message);
    public void Error(string message) => Write(1, message);

    private void Write(int type, string message)
    {
        var prefix = type switch { 1 => "error", 2 => "warn", _ => "info" };
        Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss.fff}] {prefix}: {message}");
        if (_connection is { State: LifecycleState.Initialized })
            _ = _connection.NotifyAsync("window/logMessage", new LogMessageParams(type, message));
    }
}
