// Runtime-verification corpus: arrays, collection expressions, params and stackalloc.
using System;
using System.Collections.Generic;
using System.Linq;

namespace Corpus;

public static class ArrayCases
{
    static int[] s_ints = { 1, 2, 3 };
    static object? s_obj;
    const int Four = 4;

    public static int Case_ConstLengthLocal() { var a = new int[4]; a[0] = 1; return a[0] + a.Length; } //@ hint("new int[4]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ConstNamedLength() { var a = new int[Four]; a[1] = 2; return a[1]; } //@ hint("new int[Four]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_InitializerLocal() { var a = new int[] { 1, 2, 3 }; return a[0] + a[2]; } //@ hint("new int[]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ImplicitInitializer() { var a = new[] { 5, 6 }; return a[1]; } //@ hint("new[]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_VariableLength() { var a = new int[Sink.Int()]; return a.Length; } //@ hint("new int[", heap)
    public static int[] Case_Returned() => new int[4]; //@ hint("new int[4]", heap)
    public static int Case_StoredToStatic() { var a = new int[2]; s_obj = a; return a.Length; } //@ hint("new int[2]", heap)
    public static int Case_PassedToNoInline() { var a = new int[2]; Sink.Keep(a); return 0; } //@ hint("new int[2]", heap)
    public static int Case_InLoop() { int s = 0; for (int i = 0; i < 3; i++) { var a = new int[2]; a[0] = i; s += a[0]; } return s; } //@ hint("new int[2]", heap)
    public static int Case_LargeArray() { var a = new int[200]; a[5] = 1; return a[5]; } //@ hint("new int[200]", heap)
    public static int Case_IntArrayAtLimit() { var a = new int[126]; a[5] = 1; return a[5]; } //@ hint("new int[126]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_IntArrayExactlyAtLimit() { var a = new int[128]; a[5] = 1; return a[5]; } //@ hint("new int[128]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_IntArrayOverLimit() { var a = new int[129]; a[5] = 1; return a[5]; } //@ hint("new int[129]", heap)
    public static int Case_LongArrayAtLimit() { var a = new long[63]; a[5] = 1; return (int)a[5]; } //@ hint("new long[63]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_LongArrayExactlyAtLimit() { var a = new long[64]; a[5] = 1; return (int)a[5]; } //@ hint("new long[64]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_LongArrayOverLimit() { var a = new long[65]; a[5] = 1; return (int)a[5]; } //@ hint("new long[65]", heap)
    public static int Case_ByteArray() { var a = new byte[16]; a[3] = 7; return a[3]; } //@ hint("new byte[16]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_EmptyArrayNew() { var a = new int[0]; return a.Length; } //@ hint("new int[0]", stack)
    public static int Case_RefElementArray() { var a = new string[3]; a[0] = "x"; return a[0].Length; } //@ hint("new string[3]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ObjectArrayOfConstants() { var a = new object[2]; a[1] = "y"; return a.Length; } //@ hint("new object[2]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ForeachOverLocalArray() { var a = new int[3]; a[1] = 2; int s = 0; foreach (var x in a) s += x; return s; } //@ hint("new int[3]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ArrayToSpan() { Span<int> s = new int[4]; s[0] = 3; return s[0]; } //@ hint("new int[4]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ArrayAsSpanPassed() { var a = new int[4]; return Helpers.Use(a); } //@ hint("new int[4]", heap)
    public static int Case_MultiDimensional() { var a = new int[2, 2]; a[1, 1] = 4; return a[1, 1]; } //@ hint("new int[2, 2]", heap)
    public static int Case_Jagged() { var a = new int[2][]; return a.Length; } //@ hint("new int[2][]", stack)
    public static int Case_ArrayClone() { var b = (int[])s_ints.Clone(); return b.Length; } //@ hint("Clone(); return", heap)
    public static int Case_CollectionExpressionArray() { int[] a = [1, 2, 3]; return a[1]; } //@ hint("[1, 2, 3]", stack) on(net8.0: heap, net9.0: heap)
    public static int[] Case_CollectionExpressionArrayReturned() => [1, 2, 3]; //@ hint("[1, 2, 3]", heap)
    public static int Case_CollectionExpressionList() { List<int> l = [1, 2, 3]; return l.Count; } //@ hint("[1, 2, 3]", heap)
    public static int Case_CollectionExpressionSpanOfConstants() { ReadOnlySpan<int> s = [1, 2, 3]; return s[1]; } //@ hint("[1, 2, 3]", stack)
    public static int Case_CollectionExpressionSpanOfValues() { int x = Sink.Int(); ReadOnlySpan<int> s = [x, x + 1]; return s[1]; } //@ hint("[x, x + 1]", stack)
    public static int Case_CollectionExpressionEmptyArray() { int[] a = []; return a.Length; } //@ hint("[]", stack)
    public static int Case_CollectionExpressionEmptyList() { List<int> l = []; return l.Count; } //@ hint("[]", stack) on(net8.0: heap)
    public static int Case_CollectionExpressionEnumerable() { IEnumerable<int> e = [1, 2]; Sink.Keep(e); return 0; } //@ hint("[1, 2]", heap)
    public static int Case_CollectionExpressionSpread() { int[] a = [.. s_ints, 4]; return a.Length; } //@ hint("[.. s_ints", heap)
    public static int Case_ParamsToInlinedCallee() => Helpers.Count(1, 2, 3); //@ hint("Helpers.Count(1, 2, 3)", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ParamsToNoInline() => Helpers.CountNoInline(1, 2, 3); //@ hint("Helpers.CountNoInline(1, 2, 3)", heap)
    public static int Case_ParamsEmpty() => Helpers.CountNoInline(); //@ hint("Helpers.CountNoInline()", stack)
    public static int Case_ParamsExplicitArray() => Helpers.CountNoInline(s_ints); //@ nohint("Helpers")
    public static int Case_ParamsObjects() => Helpers.CountObjects("a", "b"); //@ hint("Helpers.CountObjects", heap)
    public static int Case_ParamsSpan() => Helpers.SumSpan(1, 2, 3); //@ hint("Helpers.SumSpan(1, 2, 3)", stack)
    public static int Case_StackAlloc() { Span<int> s = stackalloc int[4]; s[0] = 1; return s[0]; } //@ hint("stackalloc", stack)
    public static int Case_ToArray() { var a = s_ints.ToArray(); return a.Length; } //@ hint("ToArray(); return", heap)
    public static int Case_ArrayResize() { var a = new int[1]; Array.Resize(ref a, 4); return a.Length; } //@ hint("new int[1]", heap)
    public static int Case_StringSplit() { var parts = "a,b".Split(','); return parts.Length; } //@ hint("Split(',')", heap)
}
