// Runtime-verification corpus: object creation and its escape. Each Case method has exactly one
// marked site; the label is what the .NET 10 runtime does in optimized (Tier-1) code.
using System;
using System.Collections.Generic;
using System.Text;

namespace Corpus;

public static class ObjectCases
{
    static object? s_obj;
    static Point s_point = new(1, 1);
    static RPoint s_record = new(1, 2);
    static readonly Point?[] s_points = new Point?[2];

    public static int Case_LocalOnly() { var p = new Point(1, 2); return p.X + p.Y; } //@ hint("new Point", stack) on(net8.0: heap)
    public static object Case_Returned() { return new Point(1, 2); } //@ hint("new Point", heap)
    public static object Case_ReturnedViaLocal() { var p = new Point(1, 2); p.X++; return p; } //@ hint("new Point", heap)
    public static int Case_StoredToStatic() { var p = new Point(1, 2); s_obj = p; return p.X; } //@ hint("new Point", heap)
    public static int Case_StoredToArrayElement() { var p = new Point(1, 2); s_points[0] = p; return p.Y; } //@ hint("new Point", heap)
    public static int Case_StoredToHeapField() { var p = new Point(1, 2); Sink.SharedHolder.Value = p; return p.X; } //@ hint("new Point", heap)
    public static int Case_PassedToNoInline() { var p = new Point(1, 2); Sink.Keep(p); return 1; } //@ hint("new Point", heap)
    public static int Case_PassedToInlinedHelper() { var p = new Point(1, 2); return Helpers.SumOf(p); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_PassedToNotInlinedHelper() { var p = new Point(1, 2); return Helpers.NotInlined(p); } //@ hint("new Point", heap)
    public static int Case_PassedToStoringHelper() { var p = new Point(1, 2); Helpers.Store(p); return 0; } //@ hint("new Point", heap)
    public static int Case_PassedToRecursiveHelper() { var p = new Point(1, 2); return Helpers.Recursive(p, 3); } //@ hint("new Point", heap)
    public static int Case_PassedToLoopingHelper() { var p = new Point(3, 2); return Helpers.Looping(p); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_PassedToHugeHelper() { var p = new Point(3, 2); return Helpers.HugeHelper(p); } //@ hint("new Point", heap)
    public static int Case_PassedAsObjectToInlinedHelper() { var p = new Point(4, 2); return Helpers.First(p); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_InstanceMethodInlined() { var p = new Point(3, 4); return p.Sum(); } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_InLoop() { int s = 0; for (int i = 0; i < 4; i++) { var p = new Point(i, 1); s += p.X; } return s; } //@ hint("new Point", heap)
    public static int Case_InWhileLoop() { int s = 0, i = 0; while (i++ < 3) { var p = new Point(i, 1); s += p.Y; } return s; } //@ hint("new Point", heap)
    public static int Case_BeforeLoop() { var p = new Point(1, 2); int s = 0; for (int i = 0; i < 3; i++) s += p.X; return s; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_AfterLoop() { int s = 0; for (int i = 0; i < 3; i++) s += i; var p = new Point(s, 2); return p.X; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_Finalizer() { var f = new Finalizable(); f.X = 1; return f.X; } //@ hint("new Finalizable", heap)
    public static int Case_TooBig() { var b = new Big(); b.A00 = 1; return (int)b.A00; } //@ hint("new Big", heap) on(net9.0: stack)
    public static int Case_AtLimit() { var b = new AtLimit(); b.A00 = 1; return (int)b.A00; } //@ hint("new AtLimit", stack) on(net8.0: heap)
    public static int Case_RecordClass() { var r = new RPoint(1, 2); return r.X + r.Y; } //@ hint("new RPoint", stack) on(net8.0: heap)
    public static object Case_RecordReturned() => new RPoint(1, 2); //@ hint("new RPoint", heap)
    public static int Case_TargetTypedNew() { Point p = new(5, 6); return p.Y; } //@ hint("new(5, 6)", stack) on(net8.0: heap)
    public static int Case_NullCompare() { var p = new Point(1, 2); return p != null ? 1 : 0; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_AliasThenStatic() { var p = new Point(1, 2); var q = p; s_obj = q; return 0; } //@ hint("new Point", heap)
    public static int Case_AliasLocalOnly() { var p = new Point(1, 2); var q = p; return q.X + p.Y; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_ConditionalWithHeap() { Point p = Sink.Never ? s_point : new Point(1, 2); return p.X; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_GenericClass() { var b = new Box<int>(5); return b.Value; } //@ hint("new Box<int>", stack) on(net8.0: heap)
    public static int Case_GenericClassOfRef() { var b = new Box<string>("x"); return b.Value.Length; } //@ hint("new Box<string>", stack) on(net8.0: heap)
    public static int Case_Derived() { var d = new Derived(); return d.Z + d.X; } //@ hint("new Derived", stack) on(net8.0: heap)
    public static int Case_LargeStraightLineConstructor() { var h = new HugeCtor(); return h.V; } //@ hint("new HugeCtor", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ConstructorWithTryCatch() { var t = new TryCtor(); return t.V; } //@ hint("new TryCtor", heap)
    public static int Case_MethodWithTryCatch() { var p = new Point(1, 2); return Helpers.Guarded(p); } //@ hint("new Point", heap)
    public static int Case_HeavyConstructor() { var h = new HeavyCtor(); return h.V; } //@ hint("new HeavyCtor", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_SelfStoringConstructor() { var s = new SelfStoring(); return s.GetHashCode() & 0; } //@ hint("new SelfStoring", heap)
    public static int Case_ObjectInitializer() { var p = new Props { A = 1, B = 2 }; return p.A + p.B; } //@ hint("new Props", stack) on(net8.0: heap)
    public static int Case_VirtualCallOnExactType() { var w = new WithVirtual(); return w.Get(); } //@ hint("new WithVirtual", stack)
    public static int Case_InterfaceCallOnExactType() { IGetter g = new Getter(); return g.Get(); } //@ hint("new Getter", stack)
    public static int Case_PlainObject() { var o = new object(); return o != null ? 1 : 0; } //@ hint("new object", stack)
    public static int Case_ObjectHashCode() { var o = new object(); return o.GetHashCode() & 0; } //@ hint("new object", heap)
    public static int Case_Thrown() { try { throw new InvalidOperationException(); } catch (InvalidOperationException) { return 1; } } //@ hint("new InvalidOperationException", heap)
    public static int Case_AnonymousType() { var a = new { X = 1, Y = 2 }; return a.X + a.Y; } //@ hint("new { X", stack) on(net8.0: heap)
    public static object Case_AnonymousReturned() => new { X = 1 }; //@ hint("new { X", heap)
    public static int Case_TupleCreate() { var t = Tuple.Create(1, 2); return t.Item1 + t.Item2; } //@ hint("Tuple.Create", stack) on(net8.0: heap)
    public static int Case_NewTuple() { var t = new Tuple<int, int>(1, 2); return t.Item1; } //@ hint("new Tuple", stack) on(net8.0: heap)
    public static int Case_ValueTuple() { var t = (Sink.Int(), 2); return t.Item1 + t.Item2; } //@ nohint("(Sink")
    public static int Case_StructNew() { var s = new SPoint(1, 2); return s.X + s.Y; } //@ hint("new SPoint", stack)
    public static int Case_RecordStructNew() { var s = new RSPoint(1, 2); return s.X; } //@ hint("new RSPoint", stack)
    public static int Case_WithOnRecordClass() { var r = s_record with { X = 5 }; return r.X; } //@ hint("with", stack) on(net8.0: heap)
    public static object Case_WithOnRecordClassReturned() => s_record with { X = 6 }; //@ hint("with", heap)
    public static int Case_WithOnRecordStruct() { var r = new RSPoint(1, 2); var q = r with { X = 5 }; return q.X; } //@ hint("with", stack)
    public static int Case_StringBuilder() { var sb = new StringBuilder(); return sb.Length; } //@ hint("new StringBuilder", stack) on(net8.0: heap)
    public static int Case_StringBuilderAppended() { var sb = new StringBuilder(); sb.Append(Sink.Str()); return sb.Length; } //@ hint("new StringBuilder", heap)
    public static int Case_ListNoUse() { var l = new List<int>(); return l.Count; } //@ hint("new List<int>", stack) on(net8.0: heap)
    public static int Case_ListAdd() { var l = new List<int>(); l.Add(1); return l.Count; } //@ hint("new List<int>", heap)
    public static int Case_ListWithCapacity() { var l = new List<int>(4); return l.Capacity; } //@ hint("new List<int>", stack) on(net8.0: heap)
    public static int Case_ListWithVariableCapacity() { var l = new List<int>(Sink.Int()); return l.Capacity; } //@ hint("new List<int>", heap)
    public static int Case_TypeTest() { object o = new Point(1, 2); return o is Point p ? p.X : 0; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_GetTypeOnNew() { var p = new Point(1, 2); return p.GetType() == typeof(Point) ? 1 : 0; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_Lock() { var o = new object(); lock (o) { return 1; } } //@ hint("new object", heap)
    public static int Case_ExceptionNotThrown() { var e = new Exception("x"); return e.Message.Length; } //@ hint("new Exception", heap)
    public static int Case_InTry() { try { var p = new Point(1, 2); return p.X; } finally { s_obj = null; } } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_InCatch() { try { return Sink.Int(); } catch (Exception) { var p = new Point(1, 2); return p.X; } } //@ hint("new Point", stack)
    public static int Case_Discarded() { _ = new Point(1, 2); return 1; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_NestedObjects() { var n = new Node { V = 1 }; return n.V; } //@ hint("new Node", stack) on(net8.0: heap)
    public static int Case_StoredIntoLocalObject() { var h = new Holder(); h.N = 3; return h.N; } //@ hint("new Holder", stack) on(net8.0: heap)
    public static int Case_HeldInLocalStructField() { var w = new SWithRef { P = new Point(1, 2) }; return w.P!.X; } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CapturedByLocalFunction() { var p = new Point(1, 2); int Get() => p.X; return Get(); } //@ hint("new Point", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_CapturedByLambda() { var p = new Point(1, 2); Func<int> f = () => p.Y; return f() & 0; } //@ hint("new Point", heap)
    public static int Case_RefPassed() { var p = new Point(1, 2); Swap(ref p); return p.X; } //@ hint("new Point", heap)
    public static int Case_ReferenceEquals() { var p = new Point(1, 2); return ReferenceEquals(p, s_point) ? 1 : 2; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_Coalesce() { Point? p = Sink.Never ? null : new Point(3, 4); return (p ?? s_point).X; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_SwitchExpression() { int k = Sink.Int(); var p = k switch { 3 => new Point(1, 1), _ => s_point }; return p.X; } //@ hint("new Point", stack) on(net8.0: heap)

    public static int Case_GotoLoop() { int s = 0, i = 0; again: var p = new Point(i, 1); s += p.X; if (++i < 3) goto again; return s; } //@ hint("new Point", heap)
    public static int Case_ForwardGotoIsNoLoop() { int s = Sink.Int(); if (s > 100) goto done; var p = new Point(s, 1); s = p.X; done: return s; } //@ hint("new Point", stack) on(net8.0: heap)

    static void Swap(ref Point p) { if (Sink.Never) p = s_point; }
}
