// Runtime-verification corpus: the static object.Equals(objA, objB) on boxed structs, found by the
// differential harness on YamlDotNet (`Equals(Tag, other.Tag)` with a struct TagName). Inlined, it calls
// objA.Equals(objB): each argument stays local exactly when that call, devirtualized on objA's exact
// type, keeps its receiver or argument local; a struct without an override reaches ValueType.Equals.
using System;
using System.Runtime.CompilerServices;

namespace Corpus;

public readonly struct TagLike
{
    public readonly int V;
    public TagLike(int v) { V = v; }
    public override bool Equals(object? obj) => obj is TagLike other && other.V == V;
    public override int GetHashCode() => V;
}

public struct NoEqualsOverride { public int V; }

public static class ObjectEqualsCases
{
    [MethodImpl(MethodImplOptions.NoInlining)] static object Opaque() => "x";
    static readonly object s_plain = new NoEqualsOverride { V = 3 };
    static readonly object s_tag = new TagLike(3);

    public static int Case_ObjectEqualsSecondBoxWithTypeTestingOverride() { var a = new TagLike(Sink.Int()); var b = new TagLike(Sink.Int()); return Equals(a, b) ? 1 : 0; } //@ hint("b)", stack) on(net8.0: heap)
    public static int Case_ObjectEqualsSecondBoxWithoutOverride() { var a = new NoEqualsOverride { V = Sink.Int() }; var b = new NoEqualsOverride { V = Sink.Int() }; return Equals(a, b) ? 1 : 0; } //@ hint("b)", heap)
    public static int Case_ObjectEqualsFirstBoxWithoutOverride() { var a = new NoEqualsOverride { V = Sink.Int() }; return Equals(a, s_plain) ? 1 : 0; } //@ hint("a, s_plain", heap)
    public static int Case_ObjectEqualsFirstBoxWithTypeTestingOverride() { var a = new TagLike(Sink.Int()); return Equals(a, s_tag) ? 1 : 0; } //@ hint("a, s_tag", stack) on(net8.0: heap)
    public static int Case_ObjectEqualsSecondBoxFirstUnknown() { var b = new TagLike(Sink.Int()); return Equals(Opaque(), b) ? 1 : 0; } //@ hint("b)", heap)
}
