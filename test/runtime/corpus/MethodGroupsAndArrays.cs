// Runtime-verification corpus: two shapes found on NodaTime by the differential harness.
// 1. A local function that captures nothing but is not declared `static` is emitted as a static method,
//    yet C# does not cache a delegate made from it: every conversion allocates. Only a `static` local
//    function or an ordinary static method gets the C# 11 method-group cache.
// 2. An array of references whose initializer stores an element computed through a branch (`?:`, `??`,
//    a cached delegate's null check) while the array is being built.
using System;

namespace Corpus;

public static class GroupHelpers
{
    public static int CountWith(int[] values, Func<int, bool> test) { int n = 0; foreach (var v in values) if (test(v)) n++; return n; }
    public static bool IsPositive(int v) => v > 0;
    static string? s_cached;
    public static string Cached() => s_cached ??= "cached";
}

public static class MethodGroupsAndArraysCases
{
    static readonly int[] s_values = { 1, 2, 3 };

    public static int Case_NonStaticLocalFunctionGroup() { return GroupHelpers.CountWith(s_values, IsEven); bool IsEven(int v) => (v & 1) == 0; } //@ hint("IsEven);", heap)
    public static int Case_StaticLocalFunctionGroup() { return GroupHelpers.CountWith(s_values, IsOdd); static bool IsOdd(int v) => (v & 1) == 1; } //@ hint("IsOdd);", stack)
    public static int Case_StaticMethodGroup() => GroupHelpers.CountWith(s_values, GroupHelpers.IsPositive); //@ hint("GroupHelpers.IsPositive);", stack)
    public static int Case_RefArrayWithConditionalElement() { var xs = new string[] { Sink.Flip ? "a" : "bb", "ccc" }; return xs[0].Length + xs[1].Length; } //@ hint("new string[]", heap) on(net8.0: heap)
    public static int Case_RefArrayWithPlainElements() { var xs = new string[] { Sink.Str(), "ccc" }; return xs[0].Length + xs[1].Length; } //@ hint("new string[]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_RefArrayWithCoalescedElement() { var xs = new string[] { Sink.Flip ? null! : Sink.Str() ?? "none", "c" }; return xs[1].Length; } //@ hint("new string[]", heap)
    public static int Case_RefArrayOfCachedMethodGroups() { var fs = new Func<int, bool>[] { GroupHelpers.IsPositive, GroupHelpers.IsPositive }; return fs[0](1) && fs[1](2) ? 1 : 0; } //@ hint("new Func<int, bool>[]", heap)
    public static int Case_RefArrayStoredLaterThroughBranch() { var xs = new string[2]; xs[0] = Sink.Flip ? "a" : "bb"; xs[1] = "c"; return xs[0].Length; } //@ hint("new string[2]", heap)
    public static int Case_RefArrayWithHoistedBranch() { var first = Sink.Flip ? "a" : "bb"; var xs = new string[] { first, "c" }; return xs[0].Length; } //@ hint("new string[]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_RefArrayWithBranchInCallee() { var xs = new string[] { GroupHelpers.Cached(), "c" }; return xs[0].Length; } //@ hint("new string[]", stack) on(net8.0: heap, net9.0: heap)
    public static int Case_ValueArrayWithConditionalElement() { var xs = new int[] { Sink.Flip ? 1 : 2, 3 }; return xs[0] + xs[1]; } //@ hint("new int[]", stack) on(net8.0: heap, net9.0: heap)
}
