// Runtime-verification corpus: everyday patterns (formatting, interfaces on structs, framework factories, records).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading;

namespace Corpus;

public interface IShape { double Area(); }
public struct Square : IShape { public double Side; public double Area() => Side * Side; }
public record class Money(decimal Amount, string Currency);

public static class EverydayCases
{
    static readonly StringBuilder s_sized = new(256);
    static readonly List<int> s_list = new() { 1, 2, 3 };
    static readonly int[] s_array = { 1, 2, 3 };
    static readonly Money s_money = new(1m, "EUR");
    static string s_text = "abc";

    public static int Case_ToStringWithFormat() { return Sink.Large().ToString("N2").Length; } //@ hint("ToString(\"N2\")", heap)
    public static int Case_ConvertToString() { return Convert.ToString(Sink.Large()).Length; } //@ hint("Convert.ToString", heap)
    public static int Case_InterpolatedSingleStringHole() { string s = Sink.Str(); return $"{s}".Length; } //@ hint("$\"{s}\"", stack)
    public static int Case_InterpolatedPrefixAndString() { string s = Sink.Str(); return $"a{s}".Length; } //@ hint("$\"a{s}\"", heap)
    public static int Case_StringCreate() { return string.Create(3, 'x', (span, c) => span.Fill(c)).Length; } //@ hint("string.Create", heap)
    public static int Case_BuilderAppendInt() { s_sized.Clear(); s_sized.Append(Sink.Large()); return s_sized.Length; } //@ nohint("Append(")
    public static int Case_StructThroughInterfaceLocal() { IShape s = new Square { Side = Sink.Int() }; return (int)s.Area(); } //@ hint("new Square", stack)
    public static int Case_StructThroughInterfacePassed() { IShape s = new Square { Side = 2 }; Sink.Keep(s); return 0; } //@ hint("new Square", boxed)
    public static int Case_EquatableBox() { IEquatable<int> e = Sink.Int(); return e.Equals(3) ? 1 : 0; } //@ hint("Sink.Int()", stack)
    public static int Case_BoxHashCode() { object o = Sink.Int(); return o.GetHashCode(); } //@ hint("Sink.Int()", stack)
    public static int Case_NullableWithConstantValueLocal() { int? n = 5; object o = n; return o is int i ? i : 0; } //@ hint("n;", boxed) on(net11.0: stack)
    public static int Case_BoundMethodGroupOnString() { Func<int> f = s_text.GetHashCode; return f() & 0; } //@ hint("s_text.GetHashCode", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ListForEachClosure() { int sum = 0; s_list.ForEach(x => sum += x); return sum; } //@ hint("sum = 0", heap)
    public static int Case_EmptyInitializer() { var a = new int[] { }; return a.Length; } //@ hint("new int[] { }", stack)
    public static int Case_NewQueueUnused() { var q = new Queue<int>(); return q.Count; } //@ hint("new Queue<int>", stack) on(net8.0: heap)
    public static int Case_NewStackUnused() { var s = new Stack<int>(); return s.Count; } //@ hint("new Stack<int>", stack) on(net8.0: heap)
    public static int Case_NewCancellationTokenSource() { var cts = new CancellationTokenSource(); return cts.IsCancellationRequested ? 1 : 0; } //@ hint("new CancellationTokenSource", stack) on(net8.0: heap)
    public static int Case_RecordToString() { var m = new Money(Sink.Int(), "EUR"); return m.ToString().Length; } //@ hint("new Money", heap)
    public static int Case_RecordEquality() { var m = new Money(1m, "EUR"); return m == s_money ? 1 : 0; } //@ hint("new Money", stack) on(net8.0: heap)
    public static int Case_ConcatMethodWithString() { string s = Sink.Str(); return string.Concat("a", s).Length; } //@ hint("string.Concat", heap)
    public static int Case_SelectToArray() { return s_list.Select(x => x + 1).ToArray().Length; } //@ hint("ToArray().Length", heap)
    public static int Case_EnumerableEmpty() { return Enumerable.Empty<int>().Count(); } //@ nohint("Enumerable.Empty")
    public static int Case_ArrayToList() { return s_array.ToList().Count; } //@ hint("ToList().Count", heap)
    public static int Case_StringContains() { return s_text.Contains('b') ? 1 : 0; } //@ nohint("Contains")
    public static int Case_ListFindNonCapturing() { return s_list.Find(x => x > 1); } //@ hint("x => x > 1", stack)
    public static int Case_StringJoinList() { return string.Join(",", s_list).Length; } //@ hint("string.Join", heap)
    public static int Case_CharArrayFromString() { return s_text.ToCharArray().Length; } //@ hint("ToCharArray()", heap)
    public static int Case_PatternOnNew() { return new Point(Sink.Int(), 2) is { X: > 1 } ? 1 : 0; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_DebugAssertKeepsLocal() { var p = new Point(1, 2); Debug.Assert(p != null); return p.X; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_ObjectEqualsStatic() { var p = new Point(1, 2); return Equals(p, s_money) ? 1 : 0; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_LocalFunctionCapturingObject() { var sb = new StringBuilder(); void Add(char c) => sb.Append(c); Add('x'); return sb.Length; } //@ hint("new StringBuilder", heap)
}
