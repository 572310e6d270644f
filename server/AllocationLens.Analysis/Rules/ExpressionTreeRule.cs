using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// A lambda converted to <c>Expression&lt;TDelegate&gt;</c> is not code but a tree of new objects
/// (parameters, nodes, the lambda node, a ReadOnlyCollection of parameters) built by Expression factory
/// calls on every evaluation; nothing of it is cached. Its body is data, so no site is reported inside it.
/// </summary>
internal sealed class ExpressionTreeRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.AnonymousFunction];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        if (ExpressionTreeType(operation) is not { } type) return;
        Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Heap, "expression", type, null,
            $"a lambda converted to `{type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}` builds a new expression tree (many node objects) every time it is evaluated",
            ["Build the expression once and keep it in a static readonly field (or cache its compiled delegate).", "Take a delegate instead of an expression where you only call it."]);
    }

    /// <summary>The Expression type a lambda is converted to, or null when it becomes a delegate.</summary>
    public static ITypeSymbol? ExpressionTreeType(IOperation lambda)
    {
        for (var p = lambda.Parent; p is IConversionOperation or IDelegateCreationOperation or IParenthesizedOperation; p = p.Parent)
        {
            if (p.Type is INamedTypeSymbol { Name: "Expression" or "LambdaExpression" } type
                && type.ContainingNamespace?.ToDisplayString() == "System.Linq.Expressions")
                return type;
        }
        return null;
    }
}
