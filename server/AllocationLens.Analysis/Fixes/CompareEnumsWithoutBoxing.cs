using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis.Fixes;

/// <summary>
/// Enum calls that box, rewritten to forms that do not:
/// - `a.Equals(b)` with both of the same enum type → `a == b` (Enum.Equals(object) boxes the receiver and the argument);
/// - `Enum.IsDefined(typeof(E), v)` and `Enum.GetName(typeof(E), v)` with `v` of type E → `Enum.IsDefined(v)`,
///   `Enum.GetName(v)` (the generic overloads of .NET 5 and later take the value unboxed).
/// Not offered for `ToString()` on an enum (no non-boxing form), for arguments of another type, or when the
/// generic overload does not exist on the target. `HasFlag` is a JIT intrinsic on .NET Core and does not box.
/// </summary>
internal sealed class CompareEnumsWithoutBoxing : AllocationFix
{
    public override string Id => "enum-without-boxing";

    public override bool Targets(SyntaxNode node) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Equals" or "IsDefined" or "GetName" } };

    public override QuickFix? Offer(SyntaxNode node, FixContext context)
    {
        var invocation = (InvocationExpressionSyntax)node;
        if (context.Model.GetOperation(invocation, context.CancellationToken) is not IInvocationOperation call) return null;
        var method = call.TargetMethod;
        if (method.ContainingType?.SpecialType != SpecialType.System_Enum) return null;
        var access = (MemberAccessExpressionSyntax)invocation.Expression;

        if (method is { Name: "Equals", IsStatic: false, Parameters.Length: 1 }
            && call.Instance is IConversionOperation { Operand.Type.TypeKind: TypeKind.Enum } or { Type.TypeKind: TypeKind.Enum }
            && call.Arguments is [{ Value: IConversionOperation { Operand: { Type: { TypeKind: TypeKind.Enum } argumentType } } }]
            && invocation.ArgumentList.Arguments is [{ RefKindKeyword.RawKind: 0, Expression: var argument }])
        {
            var instanceType = call.Instance is IConversionOperation c ? c.Operand.Type : call.Instance!.Type;
            if (!SymbolEqualityComparer.Default.Equals(instanceType, argumentType)) return null;
            var comparison = $"{FixSyntax.Operand(access.Expression)} == {FixSyntax.Operand(argument)}";
            if (!FixSyntax.InLooseContext(invocation)) comparison = $"({comparison})";
            return new QuickFix(Id, "Compare with == (Enum.Equals boxes both values)", invocation.Span, [new TextChange(invocation.Span, comparison)]);
        }

        if (method is { Name: "IsDefined" or "GetName", IsStatic: true, IsGenericMethod: false, Parameters.Length: 2 }
            && invocation.ArgumentList.Arguments is [{ Expression: TypeOfExpressionSyntax typeOf }, { Expression: var value }]
            && call.Arguments[1].Value is IConversionOperation { Operand.Type: { TypeKind: TypeKind.Enum } valueType }
            && context.Model.GetTypeInfo(typeOf.Type, context.CancellationToken).Type is { } named
            && SymbolEqualityComparer.Default.Equals(named, valueType)
            && method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().Any(m => m is { IsGenericMethod: true, Parameters.Length: 1 }))
        {
            // Drop `typeof(E), `: the generic overload infers E from the value.
            var removed = TextSpan.FromBounds(typeOf.SpanStart, value.SpanStart);
            return new QuickFix(Id, $"Use the generic Enum.{method.Name}(value), which does not box", invocation.Span, [new TextChange(removed, "")]);
        }
        return null;
    }
}
