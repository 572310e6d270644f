using System.Runtime.CompilerServices;
using Xunit;

namespace MeasureFixture;

/// <summary>A small class of 32 bytes on 64-bit: header, method table, an int and a reference.</summary>
public sealed class Node(int value, Node? next)
{
    public int Value { get; } = value;
    public Node? Next { get; } = next;
}

/// <summary>
/// Each test runs one allocation many times, about 100 MB in all, so that sampling (one sample per
/// 100 KB on average) converges. The allocating code sits in a method of its own that the JIT may not
/// inline, so the allocation is charged to that method's line, and its result is kept so that it escapes.
/// </summary>
public class Workloads
{
    private const long Volume = 100_000_000;
    private static object? s_sink;

    [Fact]
    public void Objects()
    {
        const int count = (int)(Volume / 32);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Node? last = null;
        for (int i = 0; i < count; i++) last = MakeNode(i, last is { Value: > 0 } ? null : last);
        Expected.Record("objects", GC.GetAllocatedBytesForCurrentThread() - before, count);
        s_sink = last;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Node MakeNode(int i, Node? next) => new Node(i, next); // measure: objects

    [Fact]
    public void Boxes()
    {
        const int count = (int)(Volume / 24);
        long before = GC.GetAllocatedBytesForCurrentThread();
        object? last = null;
        for (int i = 0; i < count; i++) last = Box(i);
        Expected.Record("boxes", GC.GetAllocatedBytesForCurrentThread() - before, count);
        s_sink = last;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static object Box(int i) => i; // measure: boxes

    [Fact]
    public void Arrays()
    {
        const int count = (int)(Volume / 424);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int[]? last = null;
        for (int i = 0; i < count; i++) last = MakeArray(100);
        Expected.Record("arrays", GC.GetAllocatedBytesForCurrentThread() - before, count);
        s_sink = last;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int[] MakeArray(int length) => new int[length]; // measure: arrays

    [Fact]
    public void Strings()
    {
        const int count = (int)(Volume / 88);
        long before = GC.GetAllocatedBytesForCurrentThread();
        string? last = null;
        for (int i = 0; i < count; i++) last = Pad(i);
        Expected.Record("strings", GC.GetAllocatedBytesForCurrentThread() - before, count);
        s_sink = last;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Pad(int i) => new string('x', 30 + (i & 1)); // measure: strings

    [Fact]
    public void Closures()
    {
        const int count = (int)(Volume / 88);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Func<int>? last = null;
        for (int i = 0; i < count; i++) last = Capture(i);
        Expected.Record("closures", GC.GetAllocatedBytesForCurrentThread() - before, 0);
        s_sink = last;
    }

    // The closure's display class is made where the method starts and the delegate at the lambda: both are
    // charged to this method, whose whole body is the marked line.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Func<int> Capture(int captured) => () => captured; // measure: closures

    [Fact]
    public void Linq()
    {
        var data = Enumerable.Range(0, 64).ToArray();
        const int count = (int)(Volume / 300);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int[]? last = null;
        for (int i = 0; i < count; i++) last = Evens(data);
        Expected.Record("linq", GC.GetAllocatedBytesForCurrentThread() - before, 0);
        s_sink = last;
    }

    // Where's iterator and ToArray's result are allocated inside the framework: charged to this line.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int[] Evens(int[] data) => data.Where(x => (x & 1) == 0).ToArray(); // measure: linq

    [Fact]
    public void FrameworkCall()
    {
        var data = Enumerable.Range(0, 16).ToArray();
        const int count = (int)(Volume / 200);
        long before = GC.GetAllocatedBytesForCurrentThread();
        string? last = null;
        for (int i = 0; i < count; i++) last = Join(data);
        Expected.Record("join", GC.GetAllocatedBytesForCurrentThread() - before, 0);
        s_sink = last;
    }

    // string.Join formats each number and builds the result inside the framework: charged to the call.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Join(int[] data) => string.Join(",", data); // measure: join

    [Fact]
    public void Quiet()
    {
        // Code that runs often and allocates nothing: a loop over a span and a struct.
        long before = GC.GetAllocatedBytesForCurrentThread();
        long total = 0;
        for (int i = 0; i < 5_000_000; i++) total += Sum(i);
        Expected.Record("quiet", GC.GetAllocatedBytesForCurrentThread() - before, 0);
        s_sink = total;
        if (total < 0) s_sink = NeverRuns(); // measure: never
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Sum(int i)
    {
        var pair = (A: i, B: i + 1);
        return pair.A + pair.B;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static object NeverRuns() => new Node(-1, null); // measure: never-object

    // Two tests allocate at one site, three times as much in the first: the site names both, the first first.
    [Fact]
    public void SharedMore() => Share("shared-more", 3 * Volume / 4);

    [Fact]
    public void SharedLess() => Share("shared-less", Volume / 4);

    private static void Share(string name, long volume)
    {
        int count = (int)(volume / 32);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Node? last = null;
        for (int i = 0; i < count; i++) last = MakeShared(i);
        Expected.Record(name, GC.GetAllocatedBytesForCurrentThread() - before, count);
        s_sink = last;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Node MakeShared(int i) => new Node(i, null); // measure: shared

    [Fact]
    public void NoOpTrim()
    {
        // Trim with nothing to trim returns its input: the static verdict says heap ("unless there is nothing
        // to trim"), the runtime allocates nothing there. The Node beside it, in the same straight-line block,
        // counts how often the Trim ran. The loop runs long enough to be replaced on stack (OSR): ran often.
        const int count = (int)(Volume * 6 / 10 / 32);
        var text = "abc";
        long before = GC.GetAllocatedBytesForCurrentThread();
        Node? last = null;
        for (int i = 0; i < count; i++)
        {
            var trimmed = text.Trim(); // measure: no-op-trim
            last = new Node(i + trimmed.Length, null); // measure: trim
        }
        Expected.Record("trim", GC.GetAllocatedBytesForCurrentThread() - before, count);
        // Allocates once, in a method that ran often but in a block that ran once: nothing settles it.
        s_sink = new Node(-2, last); // measure: once
    }

    [Fact]
    public void Misbehaves()
    {
        // Measure's safety tests: a test host that hangs, or one that crashes, must neither hang nor crash
        // the measuring tool, nor leave a process behind.
        var mode = Environment.GetEnvironmentVariable("MEASURE_FIXTURE_MISBEHAVE");
        if (mode == "hang") Thread.Sleep(Timeout.Infinite);
        if (mode == "crash") Environment.FailFast("MeasureFixture: crashing on purpose");
    }
}
