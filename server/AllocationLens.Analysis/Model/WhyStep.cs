namespace AllocationLens.Analysis;

/// <summary>One step of a verdict's explanation: a sentence about a place ("returned from Make").</summary>
public sealed record WhyStep(SourceSpan Where, string Text);
