// Call summaries against reality: each Case_ method makes one call to a source helper. SummaryRuntimeTests
// measures bytes per call at steady state (Tier-1) and checks the summary of that call: a summary that
// counts something allocates, one that counts nothing does not. The labels in comments are measured
// (.NET 10), not the analyzer's output.
using System.Runtime.CompilerServices;

namespace RuntimeSummaries;

public sealed class Point { public int X; }

public static class Helpers
{
    static object? s_sink;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Keep() { s_sink = new Point(); }

    public static void KeepInlinable() { s_sink = new Point(); }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Local() { var p = new Point(); p.X = 1; return p.X; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Pure(int a) => a * 2;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Boxes(int n) { s_sink = n; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void Twice() { Keep(); Boxes(1000); }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Sum(int[] xs) { int s = 0; for (int i = 0; i < xs.Length; i++) s += xs[i]; return s; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static object Make() => new Point();
}

public static class Cases
{
    static readonly int[] s_xs = { 1, 2, 3 };

    public static void Case_Keep() => Helpers.Keep();                  // measured: allocates (24 B)
    public static void Case_KeepInlinable() => Helpers.KeepInlinable(); // measured: allocates (24 B)
    public static int Case_Local() => Helpers.Local();                 // measured: nothing
    public static int Case_Pure() => Helpers.Pure(21);                 // measured: nothing
    public static void Case_Boxes() => Helpers.Boxes(1000);            // measured: allocates (24 B)
    public static void Case_Twice() => Helpers.Twice();                // measured: allocates (48 B)
    public static int Case_Sum() => Helpers.Sum(s_xs);                 // measured: nothing
    public static object Case_Make() => Helpers.Make();                // measured: allocates (24 B)
}
