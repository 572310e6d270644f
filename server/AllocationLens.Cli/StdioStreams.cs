using System.IO.Pipelines;

namespace AllocationLens.Cli;

/// <summary>
/// The language server's stdin and stdout, kept off the thread pool. The console streams have no
/// asynchronous I/O of their own: their ReadAsync and WriteAsync run the blocking call on a pool thread.
/// The read waits for the editor's next message all session long, so it held one of the two threads a
/// 2-core machine's pool starts with, and every response, refresh and notification waited for a free
/// pool thread behind the load and the first hints (80–200 ms at startup on Newtonsoft.Json; bench/README).
/// Here a thread of its own reads stdin into a pipe the protocol layer awaits without blocking, and a
/// write goes straight to stdout on the writer's thread (the protocol layer writes one frame at a time).
/// </summary>
public static class StdioStreams
{
    public static Stream Input() => Input(Console.OpenStandardInput());

    public static Stream Output() => Output(Console.OpenStandardOutput());

    /// <param name="stdin">A stream whose reads block (stdin): they run on a thread of their own.</param>
    public static Stream Input(Stream stdin)
    {
        // No back-pressure: a message is consumed as soon as it is whole, and the reader must never stall the editor.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false));
        var reader = new Thread(() =>
        {
            try
            {
                while (true)
                {
                    var memory = pipe.Writer.GetMemory(64 * 1024);
                    int read = stdin.Read(memory.Span);
                    if (read == 0) break; // the editor closed stdin: the protocol layer sees the end
                    pipe.Writer.Advance(read);
                    if (pipe.Writer.FlushAsync().AsTask().GetAwaiter().GetResult().IsCompleted) break;
                }
                pipe.Writer.Complete();
            }
            catch (Exception ex)
            {
                pipe.Writer.Complete(ex);
            }
        })
        { IsBackground = true, Name = "stdin reader" };
        reader.Start();
        return pipe.Reader.AsStream();
    }

    /// <param name="stdout">A stream whose writes are quick when the reader keeps up (stdout).</param>
    public static Stream Output(Stream stdout) => new SynchronousWrites(stdout);

    /// <summary>Writes and flushes on the calling thread; the console stream does nothing else underneath.</summary>
    private sealed class SynchronousWrites(Stream inner) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) { inner.Flush(); return Task.CompletedTask; }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            inner.Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            inner.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
