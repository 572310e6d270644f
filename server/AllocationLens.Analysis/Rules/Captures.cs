using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>What a lambda or local function captures from its enclosing functions.</summary>
internal enum CaptureKind { None, This, Variables }

internal static class Captures
{
    public static CaptureKind Of(IMethodSymbol function, IOperation? body)
    {
        if (body is null) return CaptureKind.Variables;
        var result = CaptureKind.None;
        foreach (var op in body.DescendantsAndSelf())
        {
            switch (op)
            {
                case ILocalReferenceOperation local when !IsDeclaredWithin(local.Local, function):
                case IParameterReferenceOperation parameter when !IsDeclaredWithin(parameter.Parameter, function):
                    return CaptureKind.Variables;
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    result = CaptureKind.This;
                    break;
                case IInvocationOperation { TargetMethod.MethodKind: MethodKind.LocalFunction } call
                    when !IsDeclaredWithin(call.TargetMethod, function) && !call.TargetMethod.IsStatic:
                    // Calling an enclosing non-static local function needs its environment.
                    if (call.TargetMethod.DeclaringSyntaxReferences.Length > 0) return CaptureKind.Variables;
                    break;
            }
        }
        return result;
    }

    /// <summary>True when the symbol belongs to <paramref name="function"/> or to a function nested in it.</summary>
    public static bool IsDeclaredWithin(ISymbol symbol, IMethodSymbol function)
    {
        for (var s = symbol.ContainingSymbol; s is not null; s = s.ContainingSymbol)
        {
            if (SymbolEqualityComparer.Default.Equals(s, function)) return true;
            if (s is not IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction }) return false;
        }
        return false;
    }
}
