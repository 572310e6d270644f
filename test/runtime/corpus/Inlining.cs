// Runtime-verification corpus: which helper shapes the JIT inlines (and so keeps an argument local).
using System;
using System.Runtime.CompilerServices;

namespace Corpus;

public class Shape { public virtual int Sides => 0; }
public sealed class Tri : Shape { public override int Sides => 3; }

public static class PointExtensions
{
    public static int Manhattan(this Point p) => Math.Abs(p.X) + Math.Abs(p.Y);
}

public static class InlineHelpers
{
    static int s_calls;
    public static int Checked(Point p) { if (p.X < 0) throw new ArgumentOutOfRangeException(nameof(p)); return p.X; }
    public static int ThrowHelperStyle(Point p) { if (p.X < 0) Fail(); return p.X; }
    [MethodImpl(MethodImplOptions.NoInlining)] static void Fail() => throw new InvalidOperationException();
    public static int Generic<T>(T value) where T : class => value.GetHashCode() & 0;
    public static int Classify(Point p) => p.X switch { 0 => 10, 1 => 20, 2 => 30, _ => 40 };
    [MethodImpl(MethodImplOptions.NoOptimization)] public static int Unoptimized(Point p) => p.X;
    public static int TwoWay(Point p) => p.X switch { 0 => 10, _ => 40 };
    public static bool TryGetX(Point p, out int x) { x = p.X; return x > 0; }
    public static int Counting(Point p) { s_calls++; return p.X + s_calls; }
    public static int Deep1(Point p) => Deep2(p) + 1;
    public static int Deep2(Point p) => Deep3(p) + 1;
    public static int Deep3(Point p) => p.X;
    public static int CallsVirtual(Point p, Shape s) => p.X + s.Sides;
    public static int WithLocalFunction(Point p) { int Twice() => p.X * 2; return Twice(); }
    public static int StoresInLocalArray(Point p) { var a = new Point[1]; a[0] = p; return a[0].X; }
    public static (int, int) AsTuple(Point p) => (p.X, p.Y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Aggressive(Point p)
    {
        int v = p.X * Sink.Int() + Sink.Int(); v ^= Sink.Int() << 2; v += Sink.Int() * Sink.Int(); v -= Sink.Int() % 7;
        v += p.Y * Sink.Int() + Sink.Int(); v ^= Sink.Int() << 3; v += Sink.Int() * Sink.Int(); v -= Sink.Int() % 9;
        v += p.X * Sink.Int() + Sink.Int(); v ^= Sink.Int() << 4; v += Sink.Int() * Sink.Int(); v -= Sink.Int() % 11;
        return v;
    }
}

public struct PointMath
{
    public int Scale;
    public int Apply(Point p) => p.X * Scale;
}

public static class InliningCases
{
    static readonly Shape s_shape = new Tri();

    public static int Case_HelperWithThrow() { var p = new Point(1, 2); return InlineHelpers.Checked(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_HelperWithThrowHelper() { var p = new Point(1, 2); return InlineHelpers.ThrowHelperStyle(p); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_ExtensionMethod() { var p = new Point(3, -4); return p.Manhattan(); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_GenericHelperOverClass() { var p = new Point(1, 2); return InlineHelpers.Generic(p); } //@ hint("new Point", heap)
    public static int Case_SwitchHelper() { var p = new Point(Sink.Int(), 2); return InlineHelpers.Classify(p); } //@ hint("new Point", heap)
    public static int Case_NoOptimizationHelper() { var p = new Point(1, 2); return InlineHelpers.Unoptimized(p); } //@ hint("new Point", heap) on(net9.0: stack)
    public static int Case_TwoCaseSwitchHelper() { var p = new Point(Sink.Int(), 2); return InlineHelpers.TwoWay(p); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_OutParameterHelper() { var p = new Point(5, 2); return InlineHelpers.TryGetX(p, out var x) ? x : 0; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_StaticFieldHelper() { var p = new Point(1, 2); return InlineHelpers.Counting(p); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_ThreeLevelChain() { var p = new Point(1, 2); return InlineHelpers.Deep1(p); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_HelperCallingVirtual() { var p = new Point(1, 2); return InlineHelpers.CallsVirtual(p, s_shape); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_HelperWithLocalFunction() { var p = new Point(4, 2); return InlineHelpers.WithLocalFunction(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_HelperStoringIntoItsArray() { var p = new Point(1, 2); return InlineHelpers.StoresInLocalArray(p); } //@ hint("new Point", heap)
    public static int Case_HelperReturningTuple() { var p = new Point(1, 2); var (a, b) = InlineHelpers.AsTuple(p); return a + b; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_AggressiveInliningLarge() { var p = new Point(1, 2); return InlineHelpers.Aggressive(p); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_StructMethodTakingObject() { var m = new PointMath { Scale = 3 }; var p = new Point(2, 2); return m.Apply(p); } //@ hint("new Point(2, 2)", stack) on(net8.0: heap)
    public static int Case_VirtualPropertyOnNew() { Shape s = new Tri(); return s.Sides; } //@ hint("new Tri", stack)
    public static int Case_LambdaInvokedWithObject() { Func<Point, int> f = static q => q.X; var p = new Point(7, 1); return f(p); } //@ hint("new Point", heap)
}
