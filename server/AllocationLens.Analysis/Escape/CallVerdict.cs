using System.Collections.Immutable;

namespace AllocationLens.Analysis;

/// <summary>What a call does with one argument (or its receiver): keeps it local, or lets it escape and why.</summary>
internal readonly record struct CallVerdict(bool KeepsLocal, string Reason, bool Certain, string? Assumption, ImmutableArray<WhyStep> InnerSteps)
{
    /// <summary>The inlined callee returns the argument: the caller must keep tracing the call's result.</summary>
    public bool ReturnsArgument { get; init; }

    public static CallVerdict Local(string? assumption) => new(true, "", true, assumption, ImmutableArray<WhyStep>.Empty);
    public static CallVerdict Escapes(string reason, bool certain = true) => new(false, reason, certain, null, ImmutableArray<WhyStep>.Empty);
}
