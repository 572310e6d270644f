using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Calling an inherited virtual method (ToString, GetHashCode, Equals) on a struct that does not
/// override it boxes the struct to call ValueType's or Enum's implementation. GetType() boxes in IL,
/// but the JIT folds it to a constant; Enum.HasFlag and Enum.GetHashCode are JIT intrinsics.
/// Calls through a type parameter are constrained calls and do not box for types that override.
/// </summary>
internal sealed class StructVirtualCallRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.Invocation];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        var call = (IInvocationOperation)operation;
        if (BoxesThroughDefaultComparer(call) is { } compared)
        {
            Candidates.Fixed(ctx, call.Syntax, AllocationKind.Boxed, "box", compared, ObjectSizes.OfBox(compared, ctx.Facts),
                $"`{compared.Name}` does not implement IEquatable<{compared.Name}>, so EqualityComparer<{compared.Name}>.Default falls back to object.Equals and boxes its arguments",
                [$"Implement IEquatable<{compared.Name}> (a record struct does it for you)."]);
            return;
        }
        if (!IsBoxingReceiver(call, out var receiverType)) return;
        var method = call.TargetMethod;
        string owner = method.ContainingType.Name;
        if (method.Name == "GetType")
        {
            Candidates.Fixed(ctx, call.Syntax, AllocationKind.Stack, "box", receiverType, null,
                "`GetType()` on a struct boxes in IL, but the JIT folds it to the type's constant handle", []);
            return;
        }
        if (receiverType.TypeKind == TypeKind.Enum && method.Name is "HasFlag" or "GetHashCode")
            return; // JIT intrinsics on enums: no box, nothing to show.

        Candidates.Fixed(ctx, call.Syntax, AllocationKind.Boxed, "box", receiverType, ObjectSizes.OfBox(receiverType, ctx.Facts),
            $"`{receiverType.Name}` does not override `{method.Name}`, so the call boxes it to run `{owner}.{method.Name}`, which keeps the box",
            [$"Override `{method.Name}` in `{receiverType.Name}` (a record struct does it for you).", .. Candidates.BoxRemedies]);
    }

    /// <summary>EqualityComparer&lt;T&gt;.Default.Equals/GetHashCode for a struct T without IEquatable&lt;T&gt; boxes inside the framework.</summary>
    private static ITypeSymbol? BoxesThroughDefaultComparer(IInvocationOperation call)
    {
        if (call.TargetMethod.Name is not ("Equals" or "GetHashCode")) return null;
        if (call.TargetMethod.ContainingType is not { Name: "EqualityComparer", Arity: 1, TypeArguments: [var t] } comparer
            || comparer.ContainingNamespace?.ToDisplayString() != "System.Collections.Generic") return null;
        if (!t.IsValueType || t.TypeKind is TypeKind.Enum or TypeKind.TypeParameter || t.SpecialType != SpecialType.None) return null;
        bool equatable = t.AllInterfaces.Any(i => i is { Name: "IEquatable", Arity: 1 } && SymbolEqualityComparer.Default.Equals(i.TypeArguments[0], t));
        return equatable ? null : t;
    }

    /// <summary>True when the receiver is a struct or enum value and the method is inherited from object, ValueType or Enum.</summary>
    internal static bool IsBoxingReceiver(IInvocationOperation call, out ITypeSymbol receiverType)
    {
        receiverType = call.Instance?.Type!;
        if (call.Instance is null || receiverType is null || !receiverType.IsValueType || receiverType.TypeKind == TypeKind.TypeParameter) return false;
        if (receiverType is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T }) return false;
        return call.TargetMethod.ContainingType?.SpecialType is SpecialType.System_Object or SpecialType.System_ValueType or SpecialType.System_Enum;
    }
}
