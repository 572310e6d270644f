// Runtime-verification corpus: cases that tell .NET 8, 9, 10 and 11 apart. The marker's kind is what
// .NET 10 and 11 do unless on(...) gives another runtime's measured label; every label was measured on
// its runtime (test/AllocationLens.Runtime.Tests), not taken from the engine.
using System;
using System.Runtime.CompilerServices;

namespace Corpus;

/// <summary>A class of 100 longs: 808 bytes with the method table pointer, well over the 528-byte limit.</summary>
public class Huge100
{
    public long A00, A01, A02, A03, A04, A05, A06, A07, A08, A09;
    public long A10, A11, A12, A13, A14, A15, A16, A17, A18, A19;
    public long A20, A21, A22, A23, A24, A25, A26, A27, A28, A29;
    public long A30, A31, A32, A33, A34, A35, A36, A37, A38, A39;
    public long A40, A41, A42, A43, A44, A45, A46, A47, A48, A49;
    public long A50, A51, A52, A53, A54, A55, A56, A57, A58, A59;
    public long A60, A61, A62, A63, A64, A65, A66, A67, A68, A69;
    public long A70, A71, A72, A73, A74, A75, A76, A77, A78, A79;
    public long A80, A81, A82, A83, A84, A85, A86, A87, A88, A89;
    public long A90, A91, A92, A93, A94, A95, A96, A97, A98, A99;
}

public static class RuntimeHelpers11
{
    public static int WithLoop(Point p) { int s = 0; for (int i = 0; i < p.Y; i++) s += p.X; return s; }
    public static int Throwing(Point p) => p.X >= 0 ? p.X : throw new InvalidOperationException();
}

public static class RuntimeCases
{
    static Color s_color = Color.Green;

    // .NET 9 and newer stack-allocate a non-escaping object; .NET 8 does not.
    public static int Case_ObjectWithFieldsLocal() { var p = new Point(Sink.Int(), 2); return p.X * p.Y; } //@ hint("new Point", stack) on(net8.0: heap)
    // .NET 8 removes a box only used as the receiver of a devirtualized interface call, but keeps one that is type-tested.
    public static int Case_BoxUnboxedByTypeTest() { object o = Sink.Int() + 1; return o is int i ? i : 0; } //@ hint("Sink.Int() + 1", stack) on(net8.0: heap)
    public static int Case_BoxInterfaceReceiver() { IComparable<int> c = Sink.Int() + 1; return c.CompareTo(2); } //@ hint("Sink.Int() + 1", stack)
    // Constant-length arrays and local delegates: .NET 10 stack-allocates them, .NET 9 does not.
    public static int Case_ArrayWrittenAndRead() { var a = new long[3]; a[Sink.Int() - 1] = 5; return (int)a[2]; } //@ hint("new long[3]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ArrayOnlyLengthRead() { var a = new long[3]; return a.Length; } //@ hint("new long[3]", stack)
    public static int Case_InstanceDelegateInvokedLocally() { var p = Instance.Shared; Func<int> f = p.Get; return f(); } //@ hint("p.Get", stack) on(net8.0: heap, net9.0: heap)
    // .NET 9's inliner refuses a callee with a loop or a throw, so the argument escapes there; .NET 10 inlines both.
    public static int Case_PassedToHelperWithLoop() { var p = new Point(2, 3); return RuntimeHelpers11.WithLoop(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_PassedToHelperWithThrow() { var p = new Point(2, 3); return RuntimeHelpers11.Throwing(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    // Objects over the 528-byte limit.
    public static int Case_ObjectOverLimit808() { var h = new Huge100(); h.A50 = Sink.Int(); return (int)h.A50; } //@ hint("new Huge100", heap) on(net9.0: stack)
    // .NET 11 (not 10) keeps these boxes off the heap.
    public static int Case_NullableUnknownValueBoxLocal() { int? n = Sink.NullableInt(); object o = n; return o is int i ? i : 0; } //@ hint("n;", boxed) on(net11.0: stack)
    public static int Case_EnumEqualsOtherEnum() { var a = s_color; var b = Sink.Int() > 1 ? Color.Red : Color.Blue; return a.Equals(b) ? 1 : 0; } //@ hint("b) ?", boxed) on(net11.0: stack)
    public static int Case_EnumEqualsEscapingArgument() { object b = Color.Red; Sink.Keep(b); return s_color.Equals(b) ? 1 : 0; } //@ hint("Color.Red", boxed)
    // dotnet/runtime #128541 ("skip stack allocation for unused locals"): a local that is never read.
    public static int Case_UnusedLocalObject() { var p = new Point(1, 2); return 1; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_UnusedLocalArray() { var a = new int[4]; return 1; } //@ hint("new int[4]", stack)
    // System.Threading.Lock is .NET 9 API: this case cannot exist on net8.0 and is skipped there.
    public static int Case_NewLockUnused() { var l = new System.Threading.Lock(); return l.IsHeldByCurrentThread ? 1 : 0; } //@ hint("new System.Threading.Lock", stack) on(net9.0: heap)
}
