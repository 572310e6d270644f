using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// <c>new T[n]</c>, <c>new[] { ... }</c> and array initializers. .NET 10 stack-allocates single-dimensional
/// arrays of constant length that stay local and fit in 528 bytes; everything else is a heap array.
/// Implicit params arrays belong to <see cref="ParamsArrayRule"/>.
/// </summary>
internal sealed class ArrayCreationRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.ArrayCreation];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        if (operation.IsImplicit) return;
        Judge(ctx, (IArrayCreationOperation)operation, operation.Syntax);
    }

    internal static void Judge(RuleContext ctx, IArrayCreationOperation array, SyntaxNode site, SourceSpan? where = null, string? subject = null)
    {
        if (array.Type is not IArrayTypeSymbol arrayType) return;
        if (arrayType.Rank > 1)
        {
            Candidates.Fixed(ctx, site, AllocationKind.Heap, "array", arrayType, null,
                "a multi-dimensional array, which the JIT allocates through a helper it never stack-allocates", Candidates.ArrayRemedies(arrayType), where: where, subject: subject);
            return;
        }
        var length = array.DimensionSizes.Length == 1 ? array.DimensionSizes[0].ConstantValue : default;
        if (!length.HasValue || length.Value is not int n)
        {
            Candidates.Fixed(ctx, site, AllocationKind.Heap, "array", arrayType, null,
                "an array whose length is not a constant; only constant-length arrays can be stack-allocated", Candidates.ArrayRemedies(arrayType), where: where, subject: subject);
            return;
        }
        Candidates.Report(ctx, array, site, CandidateKind.Array, "array", arrayType, ObjectSizes.OfArray(arrayType.ElementType, n),
            Candidates.ArrayRemedies(arrayType), where: where, subject: subject);
    }
}
