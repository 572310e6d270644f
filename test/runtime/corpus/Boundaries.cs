// Runtime-verification corpus: size boundaries for boxes and struct arrays, and loop shapes.
using System;

namespace Corpus;

/// <summary>64 longs: a 512-byte struct; boxed, the JIT counts method table + 512 = 520 bytes.</summary>
public struct S64
{
    public long F00, F01, F02, F03, F04, F05, F06, F07, F08, F09;
    public long F10, F11, F12, F13, F14, F15, F16, F17, F18, F19;
    public long F20, F21, F22, F23, F24, F25, F26, F27, F28, F29;
    public long F30, F31, F32, F33, F34, F35, F36, F37, F38, F39;
    public long F40, F41, F42, F43, F44, F45, F46, F47, F48, F49;
    public long F50, F51, F52, F53, F54, F55, F56, F57, F58, F59;
    public long F60, F61, F62, F63;
}

/// <summary>65 longs: boxed, method table + 520 = 528 bytes, exactly at the limit.</summary>
public struct S65
{
    public long F00, F01, F02, F03, F04, F05, F06, F07, F08, F09;
    public long F10, F11, F12, F13, F14, F15, F16, F17, F18, F19;
    public long F20, F21, F22, F23, F24, F25, F26, F27, F28, F29;
    public long F30, F31, F32, F33, F34, F35, F36, F37, F38, F39;
    public long F40, F41, F42, F43, F44, F45, F46, F47, F48, F49;
    public long F50, F51, F52, F53, F54, F55, F56, F57, F58, F59;
    public long F60, F61, F62, F63, F64;
}

/// <summary>66 longs: boxed, 536 bytes, over the limit.</summary>
public struct S66
{
    public long F00, F01, F02, F03, F04, F05, F06, F07, F08, F09;
    public long F10, F11, F12, F13, F14, F15, F16, F17, F18, F19;
    public long F20, F21, F22, F23, F24, F25, F26, F27, F28, F29;
    public long F30, F31, F32, F33, F34, F35, F36, F37, F38, F39;
    public long F40, F41, F42, F43, F44, F45, F46, F47, F48, F49;
    public long F50, F51, F52, F53, F54, F55, F56, F57, F58, F59;
    public long F60, F61, F62, F63, F64, F65;
}

public static class BoundaryCases
{
    public static int Case_BoxStruct64() { var s = new S64(); s.F01 = Sink.Int(); object o = s; return ((S64)o).F01 > 0 ? 1 : 0; } //@ hint("s; return", stack) on(net8.0: heap)
    public static int Case_BoxStruct65() { var s = new S65(); s.F01 = Sink.Int(); object o = s; return ((S65)o).F01 > 0 ? 1 : 0; } //@ hint("s; return", stack) on(net8.0: heap)
    public static int Case_BoxStruct66() { var s = new S66(); s.F01 = Sink.Int(); object o = s; return ((S66)o).F01 > 0 ? 1 : 0; } //@ hint("s; return", stack) on(net8.0: heap)
    public static int Case_StructArrayAtLimit() { var a = new SPoint[64]; a[3].X = Sink.Int(); return a[3].X; } //@ hint("new SPoint[64]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_StructArrayOverLimit() { var a = new SPoint[65]; a[3].X = Sink.Int(); return a[3].X; } //@ hint("new SPoint[65]", heap)
    public static int Case_RefArrayAtLimit() { var a = new string[64]; a[3] = "x"; return a[3].Length; } //@ hint("new string[64]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_RefArrayOverLimit() { var a = new string[65]; a[3] = "x"; return a[3].Length; } //@ hint("new string[65]", heap)
    public static int Case_DoWhileBody() { int s = 0, i = 0; do { var p = new Point(i, 1); s += p.X; } while (++i < 3); return s; } //@ hint("new Point", heap)
    public static int Case_WhileTrueWithBreak() { int s = 0; while (true) { var p = new Point(s, 1); s += p.Y; if (s > 3) break; } return s; } //@ hint("new Point", heap)
    public static int Case_AllocationInLoopCondition() { int i = 0; while (new Point(i, 0).X < 3) i++; return i; } //@ hint("new Point", heap)
    public static int Case_ForInitializerRunsOnce() { int s = 0; for (var p = new Point(0, 3); p.X < p.Y; p.X++) s++; return s; } //@ hint("new Point", stack) on(net8.0: heap)
    public static int Case_ForeachCollectionRunsOnce() { int s = 0; foreach (var x in new int[] { 1, 2, 3 }) s += x; return s; } //@ hint("new int[]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_LambdaDeclaredInLoop() { int s = 0; for (int i = 0; i < 2; i++) { Func<int, int> f = x => x + 1; s += f(i); } return s; } //@ hint("x => x + 1", stack)
    public static int Case_NestedLoopsInner() { int s = 0; for (int i = 0; i < 2; i++) for (int j = 0; j < 2; j++) s += new Point(i, j).X; return s; } //@ hint("new Point", heap)
}
