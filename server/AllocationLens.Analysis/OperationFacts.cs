using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis;

/// <summary>Small questions about operations that several rules ask.</summary>
internal static class OperationFacts
{
    public static bool IsBoxing(IOperation? op) => op is IConversionOperation conversion && conversion.GetConversion().IsBoxing;

    /// <summary>True when <paramref name="op"/> sits in a lambda or local function nested inside <paramref name="root"/>.</summary>
    public static bool IsInNestedFunction(IOperation op, IOperation? root = null)
    {
        for (var p = op.Parent; p is not null && p != root; p = p.Parent)
            if (FunctionScope.IsNestedFunction(p)) return true;
        return false;
    }
}
