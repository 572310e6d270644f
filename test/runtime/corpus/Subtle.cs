// Runtime-verification corpus: subtler cases (aliasing through helpers, using, tuples, events, framework types).
using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Text;
using System.Threading;

namespace Corpus;

public sealed class Resource : IDisposable { public int V = 1; public void Dispose() { V = 0; } }
public class Publisher { public event Action? Changed; public void Raise() => Changed?.Invoke(); }
public struct SEquals { public int A; public override bool Equals(object? obj) => obj is SEquals o && o.A == A; public override int GetHashCode() => A; }
public class WithStatic { public static readonly int Seed = Environment.ProcessorCount; public int V = Seed; }
public class Named { public string Name; public Named(string name) { Name = name; } }

public static class SubtleHelpers
{
    public static T Id<T>(T value) => value;
    public static Point Pick(Point a, Point b) => a.X > b.X ? a : b;
    [MethodImpl(MethodImplOptions.NoInlining)] public static void Use(Action a) => a();
}

public static class SubtleCases
{
    static object? s_obj;
    static readonly Publisher s_publisher = new();
    static Point s_other = new(0, 0);
    static int s_counter;

    public static int Case_UsingDeclaration() { using var r = new Resource(); return r.V; } //@ hint("new Resource", stack) on(net8.0: heap)
    public static int Case_UsingStatement() { using (var r = new Resource()) { return r.V; } } //@ hint("new Resource", stack) on(net8.0: heap)
    public static int Case_IdentityHelper() { var p = new Point(1, 2); var q = SubtleHelpers.Id(p); return q.X; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_PickHelper() { var p = new Point(5, 2); return SubtleHelpers.Pick(p, s_other).X; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_TupleHoldingObject() { var t = (new Point(1, 2), 5); return t.Item1.X + t.Item2; } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_StoredIntoLocalObjectField() { var h = new Holder(); h.Value = new Point(1, 2); return h.N; } //@ hint("new Point", heap)
    public static int Case_ObjectArrayElementNew() { var a = new object[2]; a[0] = new Point(1, 2); return a.Length; } //@ hint("new Point", heap)
    public static int Case_ArrayHoldingObjects() { var a = new object[2]; a[0] = s_other; return a.Length; } //@ hint("new object[2]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ObjectToString() { var p = new Point(1, 2); return p.ToString()!.Length; } //@ hint("new Point", heap)
    public static int Case_KeepAlive() { var p = new Point(1, 2); GC.KeepAlive(p); return 0; } //@ hint("new Point", heap)
    public static int Case_InterlockedExchange() { var p = new Point(1, 2); Interlocked.Exchange(ref s_obj, p); return 0; } //@ hint("new Point", heap)
    public static int Case_EventSubscription() { s_publisher.Changed += OnChanged; s_publisher.Changed -= OnChanged; return 0; } //@ hint("OnChanged;", stack)
    public static int Case_StructEqualsOverrideBoxArgument() { var a = new SEquals { A = Sink.Int() }; var b = new SEquals { A = 3 }; return a.Equals(b) ? 1 : 0; } //@ hint("b) ?", stack) on(net8.0: heap)
    public static int Case_StaticCtorClass() { var w = new WithStatic(); return w.V; } //@ hint("new WithStatic", stack) on(net8.0: heap)
    public static int Case_StringField() { var n = new Named("x"); return n.Name.Length; } //@ hint("new Named", stack) on(net8.0: heap)
    public static int Case_NewDictionaryUnused() { var d = new Dictionary<int, int>(); return d.Count; } //@ hint("new Dictionary", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_NewDictionaryUsed() { var d = new Dictionary<int, int>(); d[1] = 2; return d.Count; } //@ hint("new Dictionary", heap)
    public static int Case_NewHashSetUnused() { var h = new HashSet<int>(); return h.Count; } //@ hint("new HashSet", stack) on(net8.0: heap)
    public static int Case_NewRandom() { var r = new Random(42); return r.Next(10); } //@ hint("new Random", heap)
    public static int Case_NewObjectInReferenceEquals() { return ReferenceEquals(new object(), s_obj) ? 1 : 0; } //@ hint("new object()", stack) on(net8.0: heap)
    public static int Case_ClosureOnlyStaticCaptured() { Func<int> f = () => s_counter + 1; return f(); } //@ hint("() => s_counter", stack)
    public static int Case_CapturingLambdaInvokedLocally() { int k = Sink.Int(); Func<int, int> f = x => x * k; return f(3); } //@ hint("k = Sink.Int()", heap)
    public static int Case_CapturingLambdaPassed() { int k = Sink.Int(); SubtleHelpers.Use(() => s_counter += k); return s_counter; } //@ hint("() => s_counter += k", heap)
    public static int Case_ParamsObjectsWithInts() { return Helpers.CountObjects(1, 2); } //@ hint("1, 2)", boxed)
    public static int Case_CollectionInitializer() { var l = new List<int> { 1, 2 }; return l.Count; } //@ hint("new List<int>", heap)
    public static int Case_EnumerableRange() { int s = 0; foreach (var x in System.Linq.Enumerable.Range(0, 3)) s += x; return s; } //@ hint("System.Linq.Enumerable.Range", heap)
    public static int Case_BoxedEnumSwitch() { object o = Sink.Int() > 1 ? Color.Red : Color.Blue; return o is Color c ? (int)c : -1; } //@ hint("Sink.Int() > 1 ? Color.Red : Color.Blue", stack) on(net8.0: heap)
    public static int Case_ObjectInFinally() { int v = 0; try { v = Sink.Int(); } finally { var p = new Point(v, 1); s_counter = p.X; } return v; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_NestedNewInArgument() { return Helpers.SumOf(new Point(3, 4)); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_NewInConditionalAccess() { var p = Sink.Never ? null : new Point(1, 2); return p?.X ?? 0; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_StringBuilderChain() { var sb = new StringBuilder(); sb.Append('a').Append('b'); return sb.Length; } //@ hint("new StringBuilder", heap)
    public static int Case_ReturnedFromStructField() { var w = new SWithRef { P = new Point(1, 2) }; s_obj = w.P; return 0; } //@ hint("new Point", heap)
    public static int Case_TupleItemEscapes() { var t = (new Point(1, 2), 5); s_obj = t.Item1; return t.Item2; } //@ hint("new Point", heap)
    public static int Case_IdentityHelperEscapes() { var p = new Point(1, 2); s_obj = SubtleHelpers.Id(p); return 0; } //@ hint("new Point", heap)
    public static int Case_ObjectInitializerStoresNew() { var h = new Holder { Value = new Point(1, 2) }; return h.N; } //@ hint("new Point", heap)
    public static int Case_LargeStructBox() { object o = new Guid(); return o is Guid g ? g.GetHashCode() & 0 : 1; } //@ hint("new Guid()", stack) on(net8.0: heap)
    public static int Case_DoubleBoxToObject() { Sink.Keep(Sink.Int() * 1.5); return 0; } //@ hint("Sink.Int() * 1.5", boxed)
    public static int Case_ArrayOfStructs() { var a = new SPoint[4]; a[1].X = 3; return a[1].X; } //@ hint("new SPoint[4]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_LambdaCapturingThisLike() { var i = Instance.Shared; Func<int> f = () => i.Value; return f(); } //@ hint("i = Instance.Shared", heap)
    public static int Case_ForLoopVariableCaptured() { int s = 0; for (int i = 0; i < 2; i++) s += i; Func<int> f = () => s; return f(); } //@ hint("s = 0", heap)

    static void OnChanged() { }
}
