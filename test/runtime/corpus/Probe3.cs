// Runtime-verification corpus: more everyday shapes (boxing in collections, generics, enumerators, nested closures).
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace Corpus;

public static class GenericFactory
{
    public static T Make<T>() where T : new() => new T();
}

public static class Probe3Cases
{
    static readonly Dictionary<string, object> s_bag = new() { ["a"] = "x" };
    static readonly List<object> s_objects = new(16);
    static readonly ArrayList s_arrayList = new(16);
    static readonly List<int> s_list = new() { 3, 1, 2 };
    static readonly IReadOnlyList<int> s_readOnly = new[] { 1, 2, 3 };
    static List<int> Property => s_list;
    static readonly StringBuilder s_builder = new(256);

    public static int Case_BoxIntoDictionaryOfObject() { s_bag["n"] = Sink.Int(); return s_bag.Count; } //@ hint("Sink.Int()", boxed)
    public static int Case_BoxIntoListOfObject() { s_objects.Clear(); s_objects.Add(Sink.Int()); return s_objects.Count; } //@ hint("Sink.Int()", boxed)
    public static int Case_BoxIntoArrayList() { s_arrayList.Clear(); s_arrayList.Add(Sink.Int()); return s_arrayList.Count; } //@ hint("Sink.Int()", boxed)
    public static int Case_ValueTupleBoxedLocal() { object o = (Sink.Int(), 2); return o is ValueTuple<int, int> t ? t.Item2 : 0; } //@ hint("(Sink.Int(), 2)", stack) on(net8.0: heap)
    public static int Case_StructEnumeratorAsInterface() { IEnumerator<int> e = s_list.GetEnumerator(); int s = 0; while (e.MoveNext()) s += e.Current; return s; } //@ hint("s_list.GetEnumerator()", stack) on(net8.0: heap)
    public static int Case_ForeachOverReadOnlyListOfArray() { int s = 0; foreach (var x in s_readOnly) s += x; return s; } //@ hint("foreach", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ForeachOverListProperty() { int s = 0; foreach (var x in Property) s += x; return s; } //@ nohint("foreach")
    public static int Case_GenericNewOfClass() { var p = GenericFactory.Make<Holder>(); return p.N; } //@ hint("GenericFactory.Make<Holder>()", heap)
    public static int Case_DefaultOfClassIsNull() { Point? p = default; return p is null ? 1 : 0; } //@ nohint("default")
    public static int Case_IsNotNullPattern() { var p = new Point(Sink.Int(), 1); return p is not null ? p.X : 0; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_ObjectAddedToList() { s_objects.Clear(); var p = new Point(1, 2); s_objects.Add(p); return 0; } //@ hint("new Point", heap)
    public static int Case_AppendFormat() { s_builder.Clear(); s_builder.AppendFormat("{0}", Sink.Int()); return s_builder.Length; } //@ hint("Sink.Int()", boxed)
    public static int Case_PathCombine() { return Path.Combine("a", Sink.Str()).Length; } //@ hint("Path.Combine", heap)
    public static int Case_IntParse() { return int.Parse("123"); } //@ nohint("int.Parse")
    public static int Case_RangeToArray() { return Enumerable.Range(0, 4).ToArray().Length; } //@ hint("Enumerable.Range", heap)
    public static int Case_OrderByToList() { return s_list.OrderBy(x => x).ToList().Count; } //@ hint("OrderBy(x", heap)
    public static int Case_NestedScopesTwoClosures() { int a = Sink.Int(); int r = 0; { int b = a + 1; Func<int> f = () => a + b; r = f(); } return r; } //@ hint("a = Sink.Int()", heap)
    public static int Case_ClosureInInnerScopeOnly() { int a = Sink.Int(); if (a > 100) { int b = a + 1; return Helpers.Run(() => b); } return a; } //@ hint("a = Sink.Int()", stack)
    public static int Case_ArrayFill() { var a = new int[8]; Array.Fill(a, 3); return a[2]; } //@ hint("new int[8]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_SpanFill() { Span<int> a = new int[8]; a.Fill(3); return a[2]; } //@ hint("new int[8]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_StringIsNullOrEmpty() { return string.IsNullOrEmpty(Sink.Str()) ? 0 : 1; } //@ nohint("string.IsNullOrEmpty")
    public static int Case_KeyValuePairBox() { object o = new KeyValuePair<int, int>(1, Sink.Int()); Sink.Keep(o); return 0; } //@ hint("new KeyValuePair", boxed)
}
