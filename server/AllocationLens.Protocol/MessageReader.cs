using System.Text;

namespace AllocationLens.Protocol;

/// <summary>One frame read from the stream: its body, or why the frame was unusable.</summary>
public readonly record struct Frame(byte[]? Body, string? Error)
{
    public bool IsEnd => Body is null && Error is null;
}

/// <summary>
/// Reads base-protocol frames: ASCII headers ending in CRLF CRLF, a Content-Length counted in bytes,
/// then exactly that many bytes of UTF-8 JSON. Tolerates partial reads. A header block without a
/// usable Content-Length yields an error frame and reading continues with the next header block,
/// so one malformed message never ends the session.
/// </summary>
public sealed class MessageReader(Stream input)
{
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxBodyBytes = 256 * 1024 * 1024;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;

    public async Task<Frame> ReadAsync(CancellationToken cancellationToken = default)
    {
        var header = await ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
        if (header is null) return default;
        long? length = null;
        foreach (var line in header.Split("\r\n", StringSplitOptions.RemoveEmptyEntries))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0) return new Frame(null, $"malformed header line: '{Truncate(line)}'");
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, out var parsed) || parsed < 0 || parsed > MaxBodyBytes)
                    return new Frame(null, $"invalid Content-Length: '{Truncate(value)}'");
                length = parsed;
            }
        }
        if (length is null) return new Frame(null, "missing Content-Length header");
        var body = new byte[length.Value];
        int filled = 0;
        while (filled < body.Length)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                return new Frame(null, $"stream ended inside a message body ({filled} of {body.Length} bytes)");
            int n = Math.Min(body.Length - filled, _end - _start);
            Buffer.BlockCopy(_buffer, _start, body, filled, n);
            _start += n;
            filled += n;
        }
        return new Frame(body, null);
    }

    private async Task<string?> ReadHeaderAsync(CancellationToken cancellationToken)
    {
        var header = new List<byte>();
        while (true)
        {
            if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                return header.Count == 0 ? null : Encoding.ASCII.GetString(header.ToArray());
            byte b = _buffer[_start++];
            header.Add(b);
            int n = header.Count;
            if (n >= 4 && header[n - 4] == '\r' && header[n - 3] == '\n' && header[n - 2] == '\r' && header[n - 1] == '\n')
                return Encoding.ASCII.GetString(header.ToArray(), 0, n - 4);
            if (n > MaxHeaderBytes) return "X-Oversized-Header: true";
        }
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        _start = 0;
        _end = await input.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
        return _end > 0;
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
