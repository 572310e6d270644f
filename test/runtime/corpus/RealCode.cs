// Runtime-verification corpus: classes of wrong verdicts first seen on real libraries by the differential harness.
// Each group measures one class; docs/features.md explains the rule it backs.
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Corpus;

public static class RealCodeHelpers
{
    static int s_count;
    static readonly object s_gate = new();
    static readonly List<int> s_list = new() { 1, 2, 3 };

    public static readonly int[] Numbers = { 1, 2, 3, 4, 5 };
    public static readonly string Text = "hello world";
    public static readonly ConcurrentDictionary<int, int> Concurrent = new(new Dictionary<int, int> { [1] = 1, [2] = 2 });

    /// <summary>Compiled away: the corpus defines no TRACE_ALLOC symbol.</summary>
    [Conditional("TRACE_ALLOC")] public static void Trace(object value) => Sink.Static = value;

    [MethodImpl(MethodImplOptions.NoInlining)] public static IEnumerable<int> Sequence() => s_list;

    public static int WithFinally(Point p) { try { return p.X; } finally { s_count++; } }
    public static int WithUsing(Point p) { using var scope = new StructScope(); return p.X + scope.Depth; }
    public static int WithLock(Point p) { lock (s_gate) { return p.X; } }
    public static int WithForEachOverList(Point p) { int s = p.X; foreach (var x in s_list) s += x; return s; }
    public static int WithCatch(Point p) { try { return p.X; } catch (InvalidOperationException) { return -1; } }
    public static int WithFilter(Point p) { try { return p.X; } catch (Exception e) when (e is ArgumentException) { return -1; } }
    public static int WithFlagFilter(Point p) { try { return p.X; } catch when (Sink.Flip) { return -1; } }
    public static int WithTypedFilter(Point p) { try { return p.X; } catch (InvalidOperationException e) when (e.Data != null) { return -1; } }
    public static int WithCatchAll(Point p) { try { return p.X; } catch { return -1; } }
}

public struct StructScope : IDisposable
{
    public int Depth;
    public void Dispose() => Depth = 0;
}

public static class RealCodeCases
{
    static Func<int>? s_func;

    // 1. Language version: C# 10 emits `new Func<int>(Helpers.Seven)` for the conversion `Func<int> f = Helpers.Seven`;
    //    an explicit delegate creation is never cached, in any language version.
    public static int Case_ExplicitStaticDelegateStored() { s_func = new Func<int>(Helpers.Seven); return 0; } //@ hint("new Func<int>", heap)
    public static int Case_ExplicitStaticDelegatePassed() => Helpers.Run(new Func<int>(Helpers.Seven)); //@ hint("new Func<int>", heap)
    public static int Case_ExplicitStaticDelegateInvokedLocally() { var f = new Func<int>(Helpers.Seven); return f(); } //@ hint("new Func<int>", heap)

    // 2. Conditional calls vanish with their arguments when the symbol is not defined (Release has no DEBUG).
    public static int Case_DebugAssertArguments() { Debug.Assert(Sink.Str() + "x" != null, "n=" + Sink.Large()); return 0; } //@ nohint("Sink.Str() + ")
    public static int Case_DebugWriteLineBox() { Debug.WriteLine(Sink.Large()); return 0; } //@ nohint("Sink.Large()")
    public static int Case_OwnConditionalBox() { RealCodeHelpers.Trace(Sink.Large()); return 0; } //@ nohint("Sink.Large()")
    public static int Case_ObjectOnlyUsedByConditional() { var p = new Point(1, 2); Debug.WriteLine(p); return p.X; } //@ hint("new Point", stack) on(net8.0: heap)

    // 3. FormattableString and IFormattable are never folded, even with constant holes. (Measured but not a case:
    //    `FormattableString f = $"abc"; return f.ArgumentCount;` allocates 0 B/call: the JIT inlines the factory and
    //    stack-allocates the object; the engine says heap there, the safe direction.)
    public static int Case_FormattableConstantHoles() { FormattableString f = $"a{"b"}c"; Sink.Keep(f); return 0; } //@ hint("$\"a{", heap)
    public static int Case_FormattableNoHoles() { FormattableString f = $"abc"; Sink.Keep(f); return 0; } //@ hint("$\"abc\"", heap)
    public static int Case_FormattableConstantHoleLocal() { FormattableString f = $"a{"b"}c"; return f.ArgumentCount; } //@ hint("$\"a{", heap)
    public static int Case_IFormattableConstant() { IFormattable f = $"x{"y"}"; Sink.Keep(f); return 0; } //@ hint("$\"x{", heap)

    // 4. State machines hoist locals that live across an await.
    public static async Task<int> Case_AsyncLocalAcrossAwait() { var p = new Point(1, 2); await Task.CompletedTask; return p.X; } //@ hint("new Point", heap)
    public static async Task<int> Case_AsyncLocalAfterAwait() { await Task.CompletedTask; var p = new Point(1, 2); return p.X; } //@ hint("new Point", stack) on(net8.0: heap)
    public static async Task<int> Case_AsyncLocalBeforeAwaitOnly() { var p = new Point(1, 2); int x = p.X; await Task.CompletedTask; return x; } //@ hint("new Point", stack) on(net8.0: heap)

    // 5. Casts and type tests when the exact type is not known: non-sealed classes and interfaces call a helper.
    public static int Case_TypeTestNonSealedUnknownExact() { object o = Sink.Flip ? new Point(1, 2) : new Derived(); return o is Point p ? p.X : 0; } //@ hint("new Derived()", heap)
    public static int Case_CastNonSealedUnknownExact() { object o = Sink.Flip ? new Point(1, 2) : new Derived(); return ((Point)o).X; } //@ hint("new Derived()", heap)
    public static int Case_TypeTestSealedUnknownExact() { object o = Sink.Flip ? new Holder() : new Props(); return o is Holder h ? h.N : 1; } //@ hint("new Props()", stack) on(net8.0: heap)
    public static int Case_AsNonSealedUnknownExact() { object o = Sink.Flip ? new Point(1, 2) : new Derived(); var p = o as Point; return p!.X; } //@ hint("new Derived()", heap)
    public static int Case_TypeTestInterfaceUnknownExact() { object o = Sink.Flip ? new Point(1, 2) : new Getter(); return o is IGetter g ? g.Get() : 0; } //@ hint("new Getter()", heap)

    // 6. Missed allocations. Explicit GetEnumerator through an interface and foreach over a call returning
    //    IEnumerable<T> measured 0 B/call here: .NET 10 guesses the List<T> (PGO) and stack-allocates the enumerator.
    public static int Case_ArrayRange() { var b = RealCodeHelpers.Numbers[1..3]; return b.Length; } //@ hint("RealCodeHelpers.Numbers[1..3]", heap)
    public static int Case_StringRange() { var s = RealCodeHelpers.Text[1..3]; return s.Length; } //@ hint("RealCodeHelpers.Text[1..3]", heap)
    public static int Case_SpanRange() { var s = RealCodeHelpers.Numbers.AsSpan()[1..3]; return s.Length; } //@ nohint("RealCodeHelpers.Numbers.AsSpan()[1..3]")
    public static int Case_ExpressionTree() { Expression<Func<int, int>> e = x => x + 1; return e.Parameters.Count; } //@ hint("x => x + 1", heap)
    public static int Case_EnumGetValues() => Enum.GetValues<Color>().Length; //@ hint("Enum.GetValues<Color>()", heap)
    public static int Case_EnumGetNames() => Enum.GetNames<Color>().Length; //@ hint("Enum.GetNames<Color>()", heap)
    public static int Case_ReflectionMethods() => typeof(Point).GetMethods().Length; //@ hint("GetMethods()", heap)
    public static int Case_ReflectionProperties() => typeof(Props).GetProperties().Length; //@ hint("GetProperties()", heap)
    public static int Case_ReflectionAttributes() => typeof(Perm).GetCustomAttributes(false).Length; //@ hint("GetCustomAttributes(false)", heap)
    public static int Case_CharToStringNonAscii() { char c = (char)(0x400 + Sink.Int()); return c.ToString().Length; } //@ hint("ToString()", heap)
    public static int Case_CharToStringAscii() { char c = (char)('a' + Sink.Int()); return c.ToString().Length; } //@ hint("ToString()", heap)
    public static int Case_StaticCharToString() { char c = (char)(0x400 + Sink.Int()); return char.ToString(c).Length; } //@ hint("char.ToString(c)", heap)
    public static int Case_ConcurrentDictionaryKeys() => RealCodeHelpers.Concurrent.Keys.Count; //@ hint("Keys.Count", heap)
    public static int Case_ConcurrentDictionaryValues() => RealCodeHelpers.Concurrent.Values.Count; //@ hint("Values.Count", heap)
    public static int Case_ExplicitGetEnumeratorThroughInterface() { using var e = RealCodeHelpers.Sequence().GetEnumerator(); int s = 0; while (e.MoveNext()) s += e.Current; return s; } //@ nohint("GetEnumerator()") on(net8.0: heap, net9.0: heap)
    public static int Case_ForEachOverCallResult() { int s = 0; foreach (var x in RealCodeHelpers.Sequence()) s += x; return s; } //@ nohint("foreach") on(net8.0: heap, net9.0: heap)

    // 7. The inliner: try/finally and filtered catches no longer block inlining on .NET 10; an unfiltered catch does.
    public static int Case_CalleeWithFinally() { var p = new Point(1, 2); return RealCodeHelpers.WithFinally(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CalleeWithUsing() { var p = new Point(1, 2); return RealCodeHelpers.WithUsing(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CalleeWithLock() { var p = new Point(1, 2); return RealCodeHelpers.WithLock(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CalleeWithForEachOverList() { var p = new Point(1, 2); return RealCodeHelpers.WithForEachOverList(p); } //@ hint("new Point", heap)
    public static int Case_CalleeWithCatch() { var p = new Point(1, 2); return RealCodeHelpers.WithCatch(p); } //@ hint("new Point", heap)
    public static int Case_CalleeWithFilter() { var p = new Point(1, 2); return RealCodeHelpers.WithFilter(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CalleeWithFlagFilter() { var p = new Point(1, 2); return RealCodeHelpers.WithFlagFilter(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CalleeWithTypedFilter() { var p = new Point(1, 2); return RealCodeHelpers.WithTypedFilter(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CalleeWithCatchAll() { var p = new Point(1, 2); return RealCodeHelpers.WithCatchAll(p); } //@ hint("new Point", heap)
    public static int Case_UsingInCaller() { var p = new Point(1, 2); using (var s = new StructScope()) { return p.X + s.Depth; } } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_LockInCaller() { var p = new Point(1, 2); lock (p) { return p.X; } } //@ hint("new Point", heap)
}
