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
                "a multi-dimensional array, which the JIT allocates through a helper it never stack-allocates", Candidates.ArrayRemedies(arrayType), where: where, subject: subject, value: array);
            return;
        }
        var length = array.DimensionSizes.Length == 1 ? array.DimensionSizes[0].ConstantValue : default;
        if (!length.HasValue || length.Value is not int n)
        {
            Candidates.Fixed(ctx, site, AllocationKind.Heap, "array", arrayType, null,
                "an array whose length is not a constant; only constant-length arrays can be stack-allocated", Candidates.ArrayRemedies(arrayType), where: where, subject: subject, value: array);
            return;
        }
        if (arrayType.ElementType.IsReferenceType && BranchingStore(ctx, array) is { } branch)
        {
            Candidates.Fixed(ctx, site, AllocationKind.Heap, "array", arrayType, ObjectSizes.OfArray(arrayType.ElementType, n),
                $"an element is computed through a branch (`{OperationFacts.Excerpt(branch.Syntax)}`, line {branch.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1}) while this array of references is being filled, and the JIT then keeps the array on the heap (measured on .NET 10 and 11)",
                ["Compute the element into a local first, then store the local.", .. Candidates.ArrayRemedies(arrayType)], where: where, subject: subject, value: array);
            return;
        }
        Candidates.Report(ctx, array, site, CandidateKind.Array, "array", arrayType, ObjectSizes.OfArray(arrayType.ElementType, n),
            Candidates.ArrayRemedies(arrayType), where: where, subject: subject);
    }

    /// <summary>
    /// A store into the array whose value branches in the caller's own code (`?:`, `??`, `?.`, `&amp;&amp;`, a
    /// switch expression, or a delegate the compiler caches behind a null check), in its initializer or
    /// in an element assignment through the local that holds it. Measured (test/runtime/corpus/
    /// MethodGroupsAndArrays.cs; found on NodaTime): .NET 10 and 11 then allocate an array of references
    /// they otherwise keep on the stack; arrays of values, and branches inside a called method, do not
    /// matter. Null when there is none.
    /// </summary>
    private static IOperation? BranchingStore(RuleContext ctx, IArrayCreationOperation array)
    {
        foreach (var element in array.Initializer?.ElementValues ?? [])
            if (Branch(ctx, element) is { } branch) return branch;
        ILocalSymbol? local = array.Parent switch
        {
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
            IConversionOperation { Parent: IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } } => declarator.Symbol,
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } => target.Local,
            _ => null,
        };
        if (local is null) return null;
        foreach (var reference in ctx.Function.Escape(ctx.Session).ReferencesOf(local))
        {
            if (reference.Parent is IArrayElementReferenceOperation { Parent: ISimpleAssignmentOperation store } element &&
                ReferenceEquals(store.Target, element) && Branch(ctx, store.Value) is { } branch)
                return branch;
        }
        return null;
    }

    /// <summary>The first operation in <paramref name="value"/> that compiles to a branch in this function.</summary>
    private static IOperation? Branch(RuleContext ctx, IOperation value)
    {
        var stack = new Stack<IOperation>();
        stack.Push(value);
        while (stack.Count > 0)
        {
            var op = stack.Pop();
            if (OperationFacts.Branches(op, ctx.Session.CachesStaticMethodGroups, out _)) return op;
            // A nested function's body runs elsewhere.
            if (op is IAnonymousFunctionOperation or ILocalFunctionOperation) continue;
            foreach (var child in op.ChildOperations) stack.Push(child);
        }
        return null;
    }
}
