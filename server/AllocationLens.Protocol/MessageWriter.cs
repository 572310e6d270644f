using System.Text;
using System.Text.Json;

namespace AllocationLens.Protocol;

/// <summary>Writes framed messages; safe to call from any thread (one frame at a time).</summary>
public sealed class MessageWriter(Stream output)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task WriteAsync(object message, CancellationToken cancellationToken = default)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Json.Options);
        byte[] header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await output.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            await output.WriteAsync(body, cancellationToken).ConfigureAwait(false);
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }
}
