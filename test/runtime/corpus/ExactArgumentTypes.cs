// Runtime-verification corpus: the exact type of an argument travels into an inlined callee. Found by
// the differential harness on YamlDotNet (`CombineHashCodes(hashCode, Tag)` with a struct Tag, where
// `obj.GetHashCode()` inside the callee is devirtualized on the box's type and the box stays local).
using System;
using System.Runtime.CompilerServices;

namespace Corpus;

public readonly struct NamedTag
{
    private readonly string? _name;
    public NamedTag(string? name) { _name = name; }
    public override int GetHashCode() => _name?.GetHashCode() ?? 0;
}

public static class ExactArgumentHelpers
{
    public static int HashOf(object o) => o.GetHashCode();
    public static int CombinedHashOf(int seed, object o) => seed * 31 + HashOf(o);
}

public static class ExactArgumentCases
{
    public static int Case_BoxPassedToHelperThatCallsItsOverride() { var t = new TagLike(Sink.Int()); return ExactArgumentHelpers.HashOf(t); } //@ hint("t);", stack) on(net8.0: heap)
    public static int Case_BoxPassedThroughTwoHelpers() { var t = new TagLike(Sink.Int()); return ExactArgumentHelpers.CombinedHashOf(7, t); } //@ hint("t);", stack) on(net8.0: heap)
    public static int Case_BoxWhoseOverrideReadsAReferenceField() { var t = new NamedTag(Sink.Str()); return ExactArgumentHelpers.HashOf(t); } //@ hint("t);", stack) on(net8.0: heap)
    public static int Case_BoxPassedToHelperThatReachesValueType() { var t = new NoEqualsOverride { V = Sink.Int() }; return ExactArgumentHelpers.HashOf(t); } //@ hint("t);", heap)
    public static int Case_NewObjectPassedToHelperThatReachesObjectGetHashCode() => ExactArgumentHelpers.HashOf(new Point(1, 2)); //@ hint("new Point", heap)
}
