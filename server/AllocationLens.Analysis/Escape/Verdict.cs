using System.Collections.Immutable;

namespace AllocationLens.Analysis;

/// <summary>The outcome of the stack-allocation judge for one site, with the reasons in order.</summary>
internal sealed record Verdict(bool OnStack, string Reason, ImmutableArray<WhyStep> Why, bool Certain, bool Escaped)
{
    /// <summary>One line for hints and the CLI: the subject and the first reason that decided it.</summary>
    public string Message(string subject) => OnStack
        ? $"{subject} stays off the heap: {Reason}"
        : Escaped ? $"{subject} escapes: {Reason}" : $"{subject}: {Reason}";
}
