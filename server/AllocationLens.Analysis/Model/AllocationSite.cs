using System.Collections.Immutable;

namespace AllocationLens.Analysis;

/// <summary>
/// One allocation-looking expression and the engine's verdict on it. Plain data: the server and the
/// CLI render it; the engine never formats for a protocol.
/// </summary>
/// <param name="Where">The expression users read the cost at (GUIDE §5 says which one for implicit allocations).</param>
/// <param name="Kind">heap, boxed or stack.</param>
/// <param name="Category">The rule that found it: object, array, box, closure, delegate, string, enumerator, ...</param>
/// <param name="TypeName">The allocated type, as C# spells it.</param>
/// <param name="Bytes">Estimated size of one allocation on 64-bit, when static.</param>
/// <param name="Subject">The expression's text, shortened ("new Point(1, 2)").</param>
/// <param name="Message">One line: what happens and the first reason.</param>
/// <param name="Why">The chain of reasons, from the allocation to the sink. Never empty for heap and boxed.</param>
/// <param name="Remedies">Concrete changes that would avoid the allocation.</param>
/// <param name="LoopDepth">How many loops of the enclosing function contain the site.</param>
/// <param name="Runtime">The runtime the verdict was judged for, and why (".NET 10 (the runtime of `App`, which references this library), optimized (Release, Tier-1)").</param>
/// <param name="Certain">False when the verdict rests on something not knowable statically ("may").</param>
/// <param name="Cold">Set when the site is cold by construction (an error path, or once per process): why.</param>
public sealed record AllocationSite(
    SourceSpan Where,
    AllocationKind Kind,
    string Category,
    string TypeName,
    int? Bytes,
    string Subject,
    string Message,
    ImmutableArray<WhyStep> Why,
    ImmutableArray<string> Remedies,
    int LoopDepth,
    string Runtime,
    bool Certain,
    ColdPath? Cold = null)
{
    /// <summary>
    /// The verdict holds whatever the JIT does: a cached delegate, an empty array, a box of null, a struct.
    /// There is no allocation for the JIT to keep or remove, so Verify has nothing to judge.
    /// </summary>
    public bool VerdictNeedsNoJit { get; init; }
}
