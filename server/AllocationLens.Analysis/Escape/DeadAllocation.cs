using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis;

/// <summary>
/// Allocations the JIT drops because nothing observes the object, whether or not the runtime has escape
/// analysis. Measured on .NET 8 and 9 (test/runtime/corpus): a discarded box, a box or object only compared
/// with null, a constant-length array whose only use is its `Length`, an object of a type with no instance
/// fields (its constructor stores nothing), and a box only used as the receiver of an interface or object
/// method (the call is devirtualized to the struct's own method and the box dies) all cost 0 bytes. A value
/// that is unboxed, type-tested, passed as an argument or written to is not dropped.
/// </summary>
internal static class DeadAllocation
{
    /// <summary>Why the allocation is dead, or null when something may observe it.</summary>
    public static string? Why(RuleContext ctx, IOperation value, CandidateKind kind, ITypeSymbol? exactType)
    {
        if (kind is CandidateKind.Delegate) return null;
        if (kind is CandidateKind.Object && (exactType is null || HasInstanceFields(exactType))) return null;
        if (kind is CandidateKind.Array && !(value is IArrayCreationOperation array && array.DimensionSizes.All(d => d.ConstantValue.HasValue)))
            return null;

        var at = value;
        while (at.Parent is IConversionOperation { IsImplicit: true } or IParenthesizedOperation) at = at.Parent;
        ILocalSymbol? local = at.Parent switch
        {
            IVariableInitializerOperation { Parent: IVariableDeclaratorOperation d } => d.Symbol,
            ISimpleAssignmentOperation { Target: ILocalReferenceOperation l, Parent: IExpressionStatementOperation } a when a.Value == at => l.Local,
            _ => null,
        };
        bool discarded = at.Parent is IExpressionStatementOperation
            || at.Parent is ISimpleAssignmentOperation { Target: IDiscardOperation, Parent: IExpressionStatementOperation };
        if (discarded) return "its value is discarded";
        if (local is null || local.RefKind != RefKind.None) return null;

        var uses = new List<string>();
        foreach (var r in ctx.Function.Root.DescendantsAndSelf().OfType<ILocalReferenceOperation>())
        {
            if (!SymbolEqualityComparer.Default.Equals(r.Local, local)) continue;
            for (var a = r.Parent; a is not null; a = a.Parent) if (a is IAnonymousFunctionOperation or ILocalFunctionOperation) return null;
            var use = Use(r, kind);
            if (use is null) return null;
            if (!uses.Contains(use)) uses.Add(use);
        }
        return uses.Count == 0 ? "its value is never read" : "its only uses are " + string.Join(" and ", uses);
    }

    private static string? Use(ILocalReferenceOperation r, CandidateKind kind)
    {
        IOperation at = r;
        while (at.Parent is IConversionOperation { IsImplicit: true } or IParenthesizedOperation) at = at.Parent;
        switch (at.Parent)
        {
            case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } b
                when IsNull(b.LeftOperand == at ? b.RightOperand : b.LeftOperand):
                return "a null check";
            case IIsPatternOperation { Pattern: IConstantPatternOperation { Value: var v } } when IsNull(v):
                return "a null check";
            case IIsPatternOperation { Pattern: INegatedPatternOperation { Pattern: IConstantPatternOperation { Value: var nv } } } when IsNull(nv):
                return "a null check";
            case IPropertyReferenceOperation { Property.Name: "Length" } p when kind is CandidateKind.Array && p.Instance == at:
                return "reading its constant Length";
            case IInvocationOperation call when call.Instance == at && kind is CandidateKind.Box
                && (call.TargetMethod.ContainingType?.TypeKind == TypeKind.Interface || call.TargetMethod.ContainingType?.SpecialType == SpecialType.System_Object):
                return $"calling `{call.TargetMethod.Name}` on it, which the JIT devirtualizes to the struct's own method";
            case IInvocationOperation call when call.Instance == at && kind is CandidateKind.Object:
                return $"calling `{call.TargetMethod.Name}` on a type with no fields";
            case IPropertyReferenceOperation p when p.Instance == at && kind is CandidateKind.Object && p.Parent is not ISimpleAssignmentOperation:
                return $"reading `{p.Property.Name}` on a type with no fields";
            default:
                return null;
        }
    }

    private static bool IsNull(IOperation operand)
    {
        while (operand is IConversionOperation c) operand = c.Operand;
        return operand.ConstantValue is { HasValue: true, Value: null };
    }

    private static bool HasInstanceFields(ITypeSymbol type)
    {
        for (var t = type; t is not null && t.SpecialType != SpecialType.System_Object; t = t.BaseType)
        {
            if (t.Locations.Any(l => l.IsInMetadata) ) return true; // framework types: fields we do not see (private ones included)
            if (t.GetMembers().OfType<IFieldSymbol>().Any(f => !f.IsStatic && !f.IsConst)) return true;
            // Anonymous types and auto-properties keep their values in fields Roslyn does not list.
            if (t.GetMembers().OfType<IPropertySymbol>().Any(p => !p.IsStatic && (t.IsAnonymousType || p.GetMethod is { } g && Inlining.IsAutoAccessor(g))))
                return true;
        }
        return false;
    }
}
