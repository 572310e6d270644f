using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Range indexing. <c>array[1..3]</c> compiles to RuntimeHelpers.GetSubArray, which copies into a new
/// array; <c>text[1..3]</c> compiles to Substring, a new string. Spans and Memory slice without copying.
/// </summary>
internal sealed class RangeSliceRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.ArrayElementReference, OperationKind.ImplicitIndexerReference];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        switch (operation)
        {
            case IArrayElementReferenceOperation { Indices: [{ Type: { } index }] } element when IsRange(index):
                Candidates.Fixed(ctx, element.Syntax, AllocationKind.Heap, "call", element.Type, null,
                    "a range of an array is copied into a new array (RuntimeHelpers.GetSubArray)",
                    ["Slice a span instead: `array.AsSpan(1..3)` or `array.AsSpan()[1..3]` copies nothing."]);
                return;
            case IImplicitIndexerReferenceOperation { Argument.Type: { } argument, IndexerSymbol: IMethodSymbol { Name: "Substring", ContainingType.SpecialType: SpecialType.System_String } } slice when IsRange(argument):
                Candidates.Fixed(ctx, slice.Syntax, AllocationKind.Heap, "string", slice.Type, null,
                    "a range of a string is a new string (Substring)",
                    ["Slice a span instead: `text.AsSpan(1..3)` copies nothing."]);
                return;
        }
    }

    private static bool IsRange(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "Range", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };
}
