// Types and helpers shared by the runtime-verification corpus. Nothing in this file is a case.
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Corpus;

public class Point
{
    public int X, Y;
    public Point(int x, int y) { X = x; Y = y; }
    public int Sum() => X + Y;
}

public struct SPoint
{
    public int X, Y;
    public SPoint(int x, int y) { X = x; Y = y; }
}

public struct SPlain { public int A; public int B; }

public struct SOverride
{
    public int A;
    public override int GetHashCode() => A;
    public override string ToString() => "S";
    public override bool Equals(object? obj) => obj is SOverride o && o.A == A;
}

public struct SWithRef { public Point? P; public int N; }

public sealed class Holder { public object? Value; public int N; }
public class Node { public Node? Next; public int V; }
public record class RPoint(int X, int Y);
public record struct RSPoint(int X, int Y);
public class Finalizable { public int X; ~Finalizable() { X = 0; } }
public class Derived : Point { public int Z; public Derived() : base(1, 2) { Z = 3; } }
public class HugeCtor
{
    public int V;
    public HugeCtor()
    {
        V = Sink.Int() * 3 + Sink.Int(); V ^= Sink.Int() << 2; V += Sink.Int() * Sink.Int(); V -= Sink.Int() % 7;
        V = Sink.Int() * 5 + Sink.Int(); V ^= Sink.Int() << 3; V += Sink.Int() * Sink.Int(); V -= Sink.Int() % 9;
        V = Sink.Int() * 7 + Sink.Int(); V ^= Sink.Int() << 4; V += Sink.Int() * Sink.Int(); V -= Sink.Int() % 11;
        V = Sink.Int() * 9 + Sink.Int(); V ^= Sink.Int() << 5; V += Sink.Int() * Sink.Int(); V -= Sink.Int() % 13;
        V = Sink.Int() * 2 + Sink.Int(); V ^= Sink.Int() << 6; V += Sink.Int() * Sink.Int(); V -= Sink.Int() % 17;
        V = Sink.Int() * 4 + Sink.Int(); V ^= Sink.Int() << 7; V += Sink.Int() * Sink.Int(); V -= Sink.Int() % 19;
    }
}
public class TryCtor { public int V; public TryCtor() { try { V = Sink.Int(); } catch (Exception) { V = 0; } } }
public class HeavyCtor
{
    public int V;
    public HeavyCtor() { for (int i = 0; i < 10; i++) V += i * i; }
}
public class Getter : IGetter { public int Get() => 7; }
public interface IGetter { int Get(); }
public class WithVirtual { public virtual int Get() => 1; }
public class Box<T> { public T Value; public Box(T value) { Value = value; } }
public class Props { public int A { get; set; } public int B { get; init; } }
public class SelfStoring { public static object? Last; public SelfStoring() { Last = this; } }

/// <summary>A class of 66 longs: method table pointer + 528 = 536 bytes, over the JIT's 528-byte stack-allocation limit.</summary>
public class Big
{
    public long A00, A01, A02, A03, A04, A05, A06, A07, A08, A09;
    public long A10, A11, A12, A13, A14, A15, A16, A17, A18, A19;
    public long A20, A21, A22, A23, A24, A25, A26, A27, A28, A29;
    public long A30, A31, A32, A33, A34, A35, A36, A37, A38, A39;
    public long A40, A41, A42, A43, A44, A45, A46, A47, A48, A49;
    public long A50, A51, A52, A53, A54, A55, A56, A57, A58, A59;
    public long A60, A61, A62, A63, A64, A65;
}

/// <summary>A class of 65 longs: method table pointer + 520 = 528 bytes, exactly at the JIT's limit (the header word is not counted).</summary>
public class AtLimit
{
    public long A00, A01, A02, A03, A04, A05, A06, A07, A08, A09;
    public long A10, A11, A12, A13, A14, A15, A16, A17, A18, A19;
    public long A20, A21, A22, A23, A24, A25, A26, A27, A28, A29;
    public long A30, A31, A32, A33, A34, A35, A36, A37, A38, A39;
    public long A40, A41, A42, A43, A44, A45, A46, A47, A48, A49;
    public long A50, A51, A52, A53, A54, A55, A56, A57, A58, A59;
    public long A60, A61, A62, A63, A64;
}

public enum Color { Red, Green, Blue }
[Flags] public enum Perm { None = 0, Read = 1, Write = 2 }

public static class Sink
{
    public static object? Static;
    public static object?[] Slots = new object?[4];
    public static Holder SharedHolder = new();
    public static bool Never;

    [MethodImpl(MethodImplOptions.NoInlining)] public static void Keep(object? o) { }
    [MethodImpl(MethodImplOptions.NoInlining)] public static int Int() => 3;
    /// <summary>Large enough to miss the runtime's cache of small-number strings.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] public static int Large() => 123456;
    public static bool Flip;
    [MethodImpl(MethodImplOptions.NoInlining)] public static string Str() => "abc";
    [MethodImpl(MethodImplOptions.NoInlining)] public static int? NullableInt() => 5;
}

public static class Helpers
{
    public static int SumOf(Point p) => p.X + p.Y;
    public static int First(object o) => o is Point p ? p.X : 0;
    public static void Store(Point p) => Sink.Static = p;
    public static int Recursive(Point p, int n) => n <= 0 ? p.X : Recursive(p, n - 1);

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int NotInlined(Point p) => p.X;

    public static int Looping(Point p)
    {
        int s = 0;
        for (int i = 0; i < p.X; i++) s += i;
        return s;
    }

    public static int HugeHelper(Point p)
    {
        int v = p.X * Sink.Int() + Sink.Int(); v ^= Sink.Int() << 2; v += Sink.Int() * Sink.Int(); v -= Sink.Int() % 7;
        v += p.Y * Sink.Int() + Sink.Int(); v ^= Sink.Int() << 3; v += Sink.Int() * Sink.Int(); v -= Sink.Int() % 9;
        v += p.X * Sink.Int() + Sink.Int(); v ^= Sink.Int() << 4; v += Sink.Int() * Sink.Int(); v -= Sink.Int() % 11;
        v += p.Y * Sink.Int() + Sink.Int(); v ^= Sink.Int() << 5; v += Sink.Int() * Sink.Int(); v -= Sink.Int() % 13;
        v += p.X * Sink.Int() + Sink.Int(); v ^= Sink.Int() << 6; v += Sink.Int() * Sink.Int(); v -= Sink.Int() % 17;
        return v;
    }

    public static int Guarded(Point p) { try { return p.X; } catch (Exception) { return 0; } }
    public static int Seven() => 7;
    public static int Count(params int[] xs) => xs.Length;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int CountNoInline(params int[] xs) => xs.Length;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int CountObjects(params object[] xs) => xs.Length;
    [MethodImpl(MethodImplOptions.NoInlining)] public static int SumSpan(params ReadOnlySpan<int> xs) { int s = 0; foreach (var x in xs) s += x; return s; }
    public static int HashOf<T>(T value) => value!.GetHashCode();
    public static int CompareGeneric<T>(T a, T b) where T : IComparable<T> => a.CompareTo(b);
    [MethodImpl(MethodImplOptions.NoInlining)] public static int Run(Func<int> f) => f();
    [MethodImpl(MethodImplOptions.NoInlining)] public static int Use(ReadOnlySpan<int> s) => s.Length;

    public static IEnumerable<int> Range3() { yield return 1; yield return 2; yield return 3; }
    public static async Task NoAwaitAsync() { await Task.CompletedTask; }
    public static async Task<int> ReturnsSmallAsync() { await Task.CompletedTask; return 1; }
    public static async Task<int> ReturnsLargeAsync() { await Task.CompletedTask; return 1000; }
    public static async ValueTask<int> ValueTaskAsync() { await Task.CompletedTask; return 1000; }
    public static async Task<int> YieldingAsync() { await Task.Yield(); return 1; }
}

public sealed class Instance
{
    public static readonly Instance Shared = new();
    public int Value = 4;
    public int Get() => Value;
}
