using Microsoft.CodeAnalysis;

namespace AllocationLens.Analysis.Rules;

/// <summary><c>stackalloc T[n]</c>: memory in the current frame, never the GC heap.</summary>
internal sealed class StackAllocRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [];

    public override void Visit(IOperation operation, RuleContext ctx) =>
        Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Stack, "stackalloc", operation.Type, null,
            "`stackalloc` reserves memory in the current stack frame; nothing is allocated on the GC heap", []);
}
