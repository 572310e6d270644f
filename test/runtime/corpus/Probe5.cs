// Runtime-verification corpus: .NET 10 delegate and struct-field tracking edge cases.
using System;
using System.Linq;
using System.Runtime.CompilerServices;

namespace Corpus;

public static class Probe5Helpers
{
    [MethodImpl(MethodImplOptions.NoInlining)] public static int TakeStruct(SWithRef w) => w.N;
}

public static class Probe5Cases
{
    static readonly Point s_other = new(1, 1);

    public static int Case_DelegateConditionalInvoke() { Func<int>? f = Instance.Shared.Get; return f?.Invoke() ?? 0; } //@ hint("Instance.Shared.Get", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_DelegateAliasInvoke() { Func<int> f = Instance.Shared.Get; Func<int> g = f; return g(); } //@ hint("Instance.Shared.Get", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_DelegateNullCheckThenInvoke() { Func<int> f = Instance.Shared.Get; return f != null ? f() : 0; } //@ hint("Instance.Shared.Get", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_StructWithObjectPassedToNoInline() { var w = new SWithRef { P = new Point(1, 2), N = 1 }; return Probe5Helpers.TakeStruct(w); } //@ hint("new Point", heap)
    public static int Case_StructWithObjectIntoArray() { var w = new SWithRef { P = new Point(1, 2) }; var arr = new SWithRef[1]; arr[0] = w; return arr[0].N; } //@ hint("new Point", heap)
    public static int Case_StructWithObjectCopied() { var w = new SWithRef { P = new Point(3, 2) }; var v = w; return v.P!.X; } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ArrayAsSpanExtension() { var a = new int[4]; var s = a.AsSpan(); s[0] = Sink.Int(); return s[0]; } //@ hint("new int[4]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ArraySumLinq() { var a = new int[4]; a[1] = Sink.Int(); return a.Sum(); } //@ hint("new int[4]", heap)
    public static int Case_InstanceEqualsOnNew() { var p = new Point(1, 2); return p.Equals(s_other) ? 1 : 0; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_AsSpanThenEscapes() { var a = new int[4]; var s = a.AsSpan(); Helpers.Use(s); return 0; } //@ hint("new int[4]", heap)
    public static int Case_DelegateInvokedTwice() { Func<int> f = Instance.Shared.Get; return f() + f(); } //@ hint("Instance.Shared.Get", stack) on(net8.0: heap, net9.0: heap)
}
