using System.Collections.Immutable;

namespace AllocationLens.Analysis;

/// <summary>
/// Whether a value can leave its function, and the path it takes: from the allocation through the
/// locals it is assigned to, to the sink. <see cref="Assumptions"/> lists inlining assumptions the
/// verdict rests on, which explanations must mention.
/// </summary>
internal sealed record EscapeResult(bool Escapes, ImmutableArray<WhyStep> Steps, bool Certain, ImmutableArray<string> Assumptions)
{
    /// <summary>For a callee's parameter: the callee returns it, so the call's result is the value.</summary>
    public bool FlowsToResult { get; init; }

    public static EscapeResult Local(ImmutableArray<WhyStep> steps, ImmutableArray<string> assumptions) => new(false, steps, true, assumptions);
}
