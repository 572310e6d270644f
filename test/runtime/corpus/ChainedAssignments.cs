// Runtime-verification corpus: chained assignments, found by the differential harness on Scriban
// (`node.Trivias = trivias = new ScriptTrivias()`). An assignment is an expression whose value is what it
// stored: in `outer = p = new T()` the new object reaches both the local and the outer use, and the
// outer use decides whether it escapes.
using System;

namespace Corpus;

public static class ChainedAssignmentCases
{
    static Point? s_last;
    static readonly Point?[] s_slots = new Point?[1];
    static readonly Holder s_holder = new();

    public static int Case_ChainedIntoStaticField() { Point p; s_last = p = new Point(1, 2); return p.X; } //@ hint("new Point(1, 2)", heap)
    public static int Case_ChainedIntoArrayElement() { Point p; s_slots[0] = p = new Point(1, 2); return p.X; } //@ hint("new Point(1, 2)", heap)
    public static int Case_ChainedIntoFieldOfHeapObject() { Point p; s_holder.Value = p = new Point(1, 2); return p.Y; } //@ hint("new Point(1, 2)", heap)
    public static object Case_ChainedIntoReturn() { Point p; return p = new Point(1, 2); } //@ hint("new Point(1, 2)", heap)
    public static int Case_ChainedIntoTwoLocals() { Point p, q; q = p = new Point(1, 2); return q.X + p.Y; } //@ hint("new Point(1, 2)", stack) on(net8.0: heap)
    public static int Case_ChainedIntoDiscard() { Point p; _ = p = new Point(1, 2); return p.X; } //@ hint("new Point(1, 2)", stack) on(net8.0: heap)
}
