using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Collection expressions <c>[a, b]</c>: what they allocate depends on the target type. Spans of
/// constants point into the assembly's data and other spans use an inline array on the stack; <c>[]</c>
/// for an array is the cached <c>Array.Empty</c>; arrays are judged like <c>new T[] { ... }</c>; a
/// List&lt;T&gt; is a list plus its backing array; interfaces get a compiler-synthesized collection.
/// </summary>
internal sealed class CollectionExpressionRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.CollectionExpression];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        if (operation.IsImplicit) return; // a params collection: ParamsArrayRule reports it at the call
        var collection = (ICollectionExpressionOperation)operation;
        var type = collection.Type;
        if (type is null || type.TypeKind == TypeKind.Error) return;
        var syntax = operation.Syntax;
        int count = collection.Elements.Length;
        bool hasSpread = collection.Elements.Any(e => e is ISpreadOperation);

        if (IsSpan(type))
        {
            bool constants = collection.Elements.All(e => e.ConstantValue.HasValue);
            Candidates.Fixed(ctx, syntax, AllocationKind.Stack, "collection", type, null, constants
                ? "a span of constants points at data stored in the assembly; nothing is allocated"
                : "a span collection expression is built in an inline array on the stack", []);
            return;
        }
        if (type is IArrayTypeSymbol arrayType)
        {
            if (count == 0)
            {
                Candidates.Fixed(ctx, syntax, AllocationKind.Stack, "array", type, null, "`[]` for an array is the cached Array.Empty<T>()", []);
                return;
            }
            if (hasSpread)
            {
                Candidates.Fixed(ctx, syntax, AllocationKind.Heap, "array", type, null,
                    "a new array sized at run time to hold the spread elements", Candidates.ArrayRemedies(type), value: operation);
                return;
            }
            Candidates.Report(ctx, operation, syntax, CandidateKind.Array, "array", arrayType, ObjectSizes.OfArray(arrayType.ElementType, count), Candidates.ArrayRemedies(arrayType));
            return;
        }
        if (type is INamedTypeSymbol { Name: "List", Arity: 1 } list && list.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic")
        {
            if (count == 0)
            {
                // Lowered to `new List<T>()`, which the JIT can stack-allocate like any local object.
                Candidates.Report(ctx, operation, syntax, CandidateKind.Object, "object", type, ObjectSizes.OfClass(type, ctx.Facts), Candidates.ObjectRemedies);
                return;
            }
            Candidates.Fixed(ctx, syntax, AllocationKind.Heap, "collection", type, null,
                "a new List<T> plus its backing array, filled through CollectionsMarshal, which lets both escape",
                ["Use a span or an array if the size is fixed.", .. Candidates.ArrayRemedies(list.TypeArguments[0])], value: operation);
            return;
        }
        if (type.TypeKind == TypeKind.Interface && count == 0)
        {
            Candidates.Fixed(ctx, syntax, AllocationKind.Stack, "collection", type, null, "`[]` for a read-only interface is a cached empty array", []);
            return;
        }
        Candidates.Fixed(ctx, syntax, AllocationKind.Heap, "collection", type, null,
            type.TypeKind == TypeKind.Interface
                ? $"a compiler-synthesized collection behind `{type.Name}`, plus its elements' storage"
                : $"a new `{type.Name}` built by the collection's builder or Add method",
            ["Target a Span<T> or ReadOnlySpan<T> when the consumer accepts one."]);
    }

    internal static bool IsSpan(ITypeSymbol type) =>
        type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", Arity: 1 } named && named.ContainingNamespace?.ToDisplayString() == "System";
}
