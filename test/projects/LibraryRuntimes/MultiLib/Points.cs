namespace MultiLib;

public sealed class Point
{
    public Point(int x) { X = x; }
    public int X { get; }
}

public static class Points
{
    public static object? Last;

    // Never leaves the method: stack where the runtime stack-allocates objects (.NET 9+), heap elsewhere.
    public static int Local(int x)
    {
        var p = new Point(x);
        return p.X;
    }

    // Stored to a static field: heap on every runtime, reported once.
    public static void Keep(int x) => Last = new Point(x);

    // An enumerator through an interface: heap before .NET 10, nothing on .NET 10 (guarded devirtualization).
    public static bool Any(System.Collections.Generic.IEnumerable<int> xs)
    {
        using var e = xs.GetEnumerator();
        return e.MoveNext();
    }

#if NET8_0_OR_GREATER
    // Exists only in the net8.0 and net10.0 builds.
    public static void KeepArray(int n) => Last = new int[n];
#endif
}
