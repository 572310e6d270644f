// Runtime-verification corpus: statements around allocations, task factories and small framework calls.
using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Corpus;

public static class Probe4Cases
{
    static readonly object s_gate = new();
    static readonly List<int> s_list = new() { 1, 2 };
    static readonly int[] s_ints = { 1, 2 };
    static string s_a = "a", s_b = "b", s_c = "c", s_d = "d";

    public static int Case_AllocationInsideLock() { lock (s_gate) { var p = new Point(Sink.Int(), 1); return p.X; } } //@ hint("new Point", stack) on(net8.0: heap)
    public static unsafe int Case_FixedPinsArray() { var a = new int[4]; a[0] = Sink.Int(); fixed (int* p = a) { return p[0]; } } //@ hint("new int[4]", heap)
    public static int Case_BoxedBoolLocal() { object o = Sink.Int() > 2; return o is bool b && b ? 1 : 0; } //@ hint("Sink.Int() > 2", stack) on(net8.0: heap)
    public static int Case_ComparerOnStruct() { return EqualityComparer<SPoint>.Default.Equals(new SPoint(1, 2), new SPoint(1, Sink.Int())) ? 1 : 0; } //@ hint("EqualityComparer", boxed)
    public static int Case_TaskFromResultLarge() { return Task.FromResult(Sink.Large()).Result; } //@ hint("Task.FromResult", heap)
    public static int Case_ValueTaskFromResult() { return ValueTask.FromResult(Sink.Large()).Result; } //@ nohint("ValueTask.FromResult")
    public static int Case_AsReadOnly() { return s_list.AsReadOnly().Count; } //@ hint("AsReadOnly().Count", stack) on(net8.0: heap)
    public static int Case_ArrayAsReadOnly() { return Array.AsReadOnly(s_ints).Count; } //@ hint("Array.AsReadOnly", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_AsReadOnlyEscapes() { s_keep = s_list.AsReadOnly(); return 1; } //@ hint("AsReadOnly()", heap)
    public static int Case_TimeSpanToString() { return TimeSpan.FromSeconds(Sink.Int()).ToString().Length; } //@ hint("ToString().Length", heap)
    public static int Case_DateTimeNow() { return DateTime.UtcNow.Second; } //@ nohint("DateTime")
    public static int Case_NameOfEnumMember() { return nameof(Color.Red).Length; } //@ nohint("nameof")
    public static int Case_FiveStringConcat() { return (s_a + s_b + s_c + s_d + s_a).Length; } //@ hint("s_a + s_b + s_c + s_d + s_a", heap)
    public static int Case_EnumGetName() { return Enum.GetName(typeof(Color), Color.Green)!.Length; } //@ hint("Color.Green", heap)
    public static int Case_MathMax() { return Math.Max(Sink.Int(), 2); } //@ nohint("Math.Max")
    public static int Case_EmptyObjectArrayInitializer() { var a = new object[] { }; return a.Length; } //@ hint("new object[] { }", stack)
    public static int Case_StringEqualsOperator() { return s_a == Sink.Str() ? 1 : 0; } //@ nohint("==")
    public static int Case_CharIsDigit() { return char.IsDigit(Sink.Str()[0]) ? 1 : 0; } //@ nohint("char.IsDigit")
    public static int Case_SwitchOnStringNoAlloc() { return Sink.Str() switch { "abc" => 1, "x" => 2, _ => 3 }; } //@ nohint("switch")
    public static int Case_TupleDeconstructEscapes() { var (p, n) = (new Point(1, 2), 3); s_keep = p; return n; } //@ hint("new Point", heap)
    static object? s_keep;
    public static int Case_TupleDeconstructNew() { var (p, n) = (new Point(1, 2), 3); return p.X + n; } //@ hint("new Point", stack) on(net8.0: heap)
}
