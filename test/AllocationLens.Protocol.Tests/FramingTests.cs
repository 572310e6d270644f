using System.Text;
using AllocationLens.Protocol;
using Xunit;

namespace AllocationLens.Protocol.Tests;

public sealed class FramingTests
{
    /// <summary>A stream that hands out one byte per read, like a slow pipe.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], ct);
    }

    private static byte[] Frame(string json)
    {
        var body = Encoding.UTF8.GetBytes(json);
        return [.. Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"), .. body];
    }

    [Fact]
    public async Task Reads_frames_delivered_one_byte_at_a_time()
    {
        var reader = new MessageReader(new TrickleStream([.. Frame("{\"a\":1}"), .. Frame("{\"b\":2}")]));
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString((await reader.ReadAsync()).Body!));
        Assert.Equal("{\"b\":2}", Encoding.UTF8.GetString((await reader.ReadAsync()).Body!));
        Assert.True((await reader.ReadAsync()).IsEnd);
    }

    [Fact]
    public async Task Content_length_counts_utf8_bytes_not_characters()
    {
        const string json = "{\"text\":\"héllo wörld ✓ 😀\"}";
        Assert.NotEqual(json.Length, Encoding.UTF8.GetByteCount(json));
        var reader = new MessageReader(new MemoryStream(Frame(json)));
        Assert.Equal(json, Encoding.UTF8.GetString((await reader.ReadAsync()).Body!));

        var output = new MemoryStream();
        await new MessageWriter(output).WriteAsync(new { text = "😀" });
        var written = Encoding.UTF8.GetString(output.ToArray());
        var header = written[..written.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        var body = output.ToArray()[(header.Length + 4)..];
        Assert.Equal($"Content-Length: {body.Length}", header);
    }

    [Fact]
    public async Task Accepts_extra_headers_and_any_case()
    {
        var body = Encoding.UTF8.GetBytes("{}");
        var raw = Encoding.ASCII.GetBytes($"content-length: {body.Length}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n");
        var reader = new MessageReader(new MemoryStream([.. raw, .. body]));
        Assert.Equal("{}", Encoding.UTF8.GetString((await reader.ReadAsync()).Body!));
    }

    [Theory]
    [InlineData("Content-Type: text/plain\r\n\r\n", "missing Content-Length")]
    [InlineData("Content-Length: banana\r\n\r\n", "invalid Content-Length")]
    [InlineData("Content-Length: -4\r\n\r\n", "invalid Content-Length")]
    [InlineData("garbage without colon\r\n\r\n", "malformed header")]
    public async Task A_bad_header_is_an_error_frame_and_the_next_frame_still_reads(string badHeader, string error)
    {
        var reader = new MessageReader(new MemoryStream([.. Encoding.ASCII.GetBytes(badHeader), .. Frame("{\"ok\":true}")]));
        var bad = await reader.ReadAsync();
        Assert.Null(bad.Body);
        Assert.Contains(error, bad.Error);
        Assert.Equal("{\"ok\":true}", Encoding.UTF8.GetString((await reader.ReadAsync()).Body!));
    }

    [Fact]
    public async Task A_truncated_body_is_reported_not_thrown()
    {
        var raw = Encoding.ASCII.GetBytes("Content-Length: 100\r\n\r\n{\"short\":");
        var frame = await new MessageReader(new MemoryStream(raw)).ReadAsync();
        Assert.Contains("stream ended inside a message body", frame.Error);
    }
}
