using AllocationLens.Cli;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>
/// The language server's stdio never holds a thread-pool thread: a blocking read of stdin runs on a thread
/// of its own, and a write completes on the writer's thread (StdioStreams says why it matters at startup).
/// </summary>
public sealed class StdioStreamsTests
{
    /// <summary>A stream whose reads block until the test hands them bytes, recording the reading thread.</summary>
    private sealed class BlockingInput : Stream
    {
        private readonly System.Collections.Concurrent.BlockingCollection<byte[]> _chunks = new();
        public readonly System.Collections.Concurrent.ConcurrentQueue<bool> ReadOnPoolThread = new();
        public void Send(byte[] chunk) => _chunks.Add(chunk);
        public void End() => _chunks.CompleteAdding();
        public override int Read(Span<byte> buffer)
        {
            ReadOnPoolThread.Enqueue(Thread.CurrentThread.IsThreadPoolThread);
            if (!_chunks.TryTake(out var chunk, Timeout.Infinite)) return 0;
            chunk.CopyTo(buffer);
            return chunk.Length;
        }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task Stdin_is_read_on_a_thread_of_its_own_and_its_end_is_seen()
    {
        var stdin = new BlockingInput();
        using var input = StdioStreams.Input(stdin);
        var buffer = new byte[16];
        var pending = input.ReadAsync(buffer).AsTask();
        await Task.Delay(50);
        Assert.False(pending.IsCompleted); // nothing sent yet: the read waits without a result
        stdin.Send("hello"u8.ToArray());
        int read = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, read));
        stdin.End();
        Assert.Equal(0, await input.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.NotEmpty(stdin.ReadOnPoolThread);
        Assert.DoesNotContain(true, stdin.ReadOnPoolThread);
    }

    [Fact]
    public async Task A_write_completes_on_the_writers_thread()
    {
        var stdout = new MemoryStream();
        using var output = StdioStreams.Output(stdout);
        var task = output.WriteAsync("Content-Length: 2\r\n\r\n{}"u8.ToArray()).AsTask();
        Assert.True(task.IsCompletedSuccessfully, "written before WriteAsync returned");
        await output.FlushAsync();
        Assert.Equal("Content-Length: 2\r\n\r\n{}", System.Text.Encoding.ASCII.GetString(stdout.ToArray()));
    }
}
