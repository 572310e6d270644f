using Microsoft.CodeAnalysis;

namespace AllocationLens.Analysis.Rules;

/// <summary><c>new { X = 1 }</c>: anonymous types are classes, judged like any other object.</summary>
internal sealed class AnonymousObjectRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.AnonymousObjectCreation];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        if (operation.Type is not { } type) return;
        Candidates.Report(ctx, operation, operation.Syntax, CandidateKind.Object, "object", type, ObjectSizes.OfClass(type, ctx.Facts), Candidates.ObjectRemedies);
    }
}
