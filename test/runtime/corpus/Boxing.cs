// Runtime-verification corpus: boxing conversions and struct calls that box.
using System;
using System.Collections.Generic;

namespace Corpus;

public static class BoxingCases
{
    static object? s_obj;
    static IComparable? s_cmp;
    static readonly object?[] s_slots = new object?[2];
    static Color s_color = Color.Green;
    static Perm s_perm = Perm.Read | Perm.Write;

    public static int Case_ToObjectArgument() { Sink.Keep(Sink.Int()); return 0; } //@ hint("Sink.Int()", boxed)
    public static int Case_LocalOnlyUnboxed() { object o = Sink.Int(); return o is int i ? i : 0; } //@ hint("Sink.Int()", stack) on(net8.0: heap)
    public static object Case_Returned() => Sink.Int(); //@ hint("Sink.Int()", boxed)
    public static int Case_ToStaticField() { s_obj = Sink.Int(); return 0; } //@ hint("Sink.Int()", boxed)
    public static int Case_ToArrayElement() { s_slots[0] = Sink.Int(); return 0; } //@ hint("Sink.Int()", boxed)
    public static int Case_ToInterfaceStored() { s_cmp = Sink.Int(); return 0; } //@ hint("Sink.Int()", boxed)
    public static int Case_ToInterfaceCalledLocally() { IComparable<int> c = Sink.Int(); return c.CompareTo(3); } //@ hint("Sink.Int()", stack)
    public static int Case_ToValueType() { ValueType v = Sink.Int(); Sink.Keep(v); return 0; } //@ hint("Sink.Int()", boxed)
    public static int Case_EnumToEnum() { Enum e = s_color; Sink.Keep(e); return 0; } //@ hint("s_color;", boxed)
    public static int Case_InLoop() { int s = 0; for (int i = 0; i < 3; i++) { object o = i + Sink.Int(); s += o.GetHashCode(); } return s; } //@ hint("i + Sink.Int()", boxed)
    public static int Case_StructGetHashCodeNoOverride() { var s = new SPlain { A = Sink.Int() }; return s.GetHashCode(); } //@ hint("s.GetHashCode()", boxed)
    public static int Case_StructGetHashCodeOverride() { var s = new SOverride { A = Sink.Int() }; return s.GetHashCode(); } //@ nohint("s.GetHashCode()")
    public static int Case_StructToStringNoOverride() { var s = new SPlain { A = 1 }; return s.ToString()!.Length; } //@ hint("s.ToString()", boxed)
    public static int Case_StructEqualsNoOverride() { var s = new SPlain { A = 1 }; var t = new SPlain { A = Sink.Int() }; return s.Equals(t) ? 1 : 0; } //@ hint("s.Equals(t)", boxed)
    public static int Case_StructGetType() { var s = new SPlain { A = 1 }; return s.GetType() == typeof(SPlain) ? 1 : 0; } //@ hint("s.GetType()", stack)
    public static int Case_RecordStructGetHashCode() { var r = new RSPoint(Sink.Int(), 2); return r.GetHashCode(); } //@ nohint("r.GetHashCode()")
    public static int Case_EnumToString() { return s_color.ToString().Length; } //@ hint("s_color.ToString()", boxed)
    public static int Case_EnumHasFlag() { return s_perm.HasFlag(Perm.Write) ? 1 : 0; } //@ nohint("HasFlag")
    public static int Case_EnumHasFlagArgumentInLoop() { int n = 0; for (int i = 0; i < 4; i++) if (s_perm.HasFlag(Perm.Write)) n++; return n; } //@ hint("Perm.Write))", stack)
    public static int Case_EnumGetHashCode() { return s_color.GetHashCode(); } //@ nohint("GetHashCode")
    public static int Case_EnumEquals() { return s_color.Equals(Color.Blue) ? 1 : 0; } //@ hint("Color.Blue", boxed) on(net11.0: stack)
    public static int Case_StringFormat() { return string.Format("{0}", Sink.Int()).Length; } //@ hint("Sink.Int()", boxed)
    public static int Case_IntToStringNoBox() { return Sink.Large().ToString().Length; } //@ hint("ToString().Length", heap)
    public static int Case_SmallIntToStringIsCached() { return Sink.Int().ToString().Length; } //@ hint("ToString().Length", stack)
    public static int Case_NullableWithValue() { int? n = Sink.NullableInt(); Sink.Keep(n); return 0; } //@ hint("n)", boxed)
    public static int Case_NullableConstantNull() { int? n = null; Sink.Keep(n); return 0; } //@ hint("n)", stack)
    public static int Case_GenericConstrainedCall() { return Helpers.HashOf(Sink.Int()); } //@ nohint("Helpers.HashOf")
    public static int Case_GenericComparable() { return Helpers.CompareGeneric(Sink.Int(), 2); } //@ nohint("Helpers.CompareGeneric")
    public static int Case_BoxInTupleToObject() { (object, int) t = (Sink.Int(), 1); Sink.Keep(t.Item1); return 0; } //@ hint("Sink.Int()", boxed)
    public static int Case_EqualsObjectArgument() { int x = Sink.Int(); return x.Equals((object)4) ? 1 : 0; } //@ hint("4) ?", stack) on(net8.0: heap)
    public static int Case_BoxDiscarded() { object o = Sink.Int(); return 1; } //@ hint("Sink.Int()", stack)
    public static int Case_BoxNullCheck() { object o = Sink.Int(); return o != null ? 1 : 0; } //@ hint("Sink.Int()", stack)
    public static int Case_BoxedBoolToObject() { Sink.Keep(Sink.Int() > 2); return 0; } //@ hint("Sink.Int() > 2", boxed)
    public static int Case_ObjectArrayInitializer() { var a = new object[] { 1 }; Sink.Keep(a); return 0; } //@ hint("1 }", boxed)
    public static int Case_ConcatWithObjectOperand() { object o = Sink.Int(); Sink.Keep(o); return 0; } //@ hint("Sink.Int()", boxed)
    public static int Case_BoxedStructLarge() { object o = new Guid(); Sink.Keep(o); return 0; } //@ hint("new Guid()", boxed)
    public static int Case_BoxedStructLocalUnbox() { object o = new SPoint(1, 2); return ((SPoint)o).X; } //@ hint("new SPoint(1, 2)", stack) on(net8.0: heap)
    public static int Case_DictionaryObjectValue() { var d = s_dict; d[1] = Sink.Int(); return 0; } //@ hint("Sink.Int()", boxed)

    static readonly Dictionary<int, object> s_dict = new();
}
