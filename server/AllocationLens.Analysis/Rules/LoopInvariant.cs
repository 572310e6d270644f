using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Whether an expression in a loop could be computed once before it: it calls nothing (itself included),
/// reads no property or mutable field (the loop may change what they return: a reader's `Value` after
/// `Read()`), and reads no local or parameter that the loop declares or assigns. What is left (constants,
/// readonly fields, invariant locals, `new`, operators) gives the same value on every iteration.
/// </summary>
internal static class LoopInvariant
{
    public static bool Reads(SemanticModel model, SyntaxNode site)
    {
        var (_, loop) = Loops.Of(site);
        if (loop is null) return false;
        foreach (var node in site.DescendantNodesAndSelf())
        {
            switch (node)
            {
                case InvocationExpressionSyntax or ElementAccessExpressionSyntax or AwaitExpressionSyntax or ConditionalAccessExpressionSyntax:
                    return false;
                case IdentifierNameSyntax name:
                    switch (model.GetSymbolInfo(name).Symbol)
                    {
                        case IPropertySymbol or IEventSymbol:
                        case IFieldSymbol { IsConst: false, IsReadOnly: false }:
                            return false;
                        case ILocalSymbol or IParameterSymbol:
                            var symbol = model.GetSymbolInfo(name).Symbol!;
                            if (symbol.DeclaringSyntaxReferences.Any(r => loop.Span.Contains(r.Span))) return false;
                            if (AssignedIn(loop, symbol, model)) return false;
                            break;
                    }
                    break;
            }
        }
        return true;
    }

    /// <summary>
    /// Whether the loop assigns the local or parameter: by name from a per-loop set computed once (every
    /// site of a loop asks), then confirmed on the symbol.
    /// </summary>
    private static bool AssignedIn(SyntaxNode loop, ISymbol symbol, SemanticModel model)
    {
        var targets = AssignedNames.GetValue(loop, Collect);
        if (!targets.TryGetValue(symbol.Name, out var names)) return false;
        foreach (var id in names)
            if (SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(id).Symbol, symbol)) return true;
        return false;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyntaxNode, Dictionary<string, List<IdentifierNameSyntax>>> AssignedNames = new();

    private static Dictionary<string, List<IdentifierNameSyntax>> Collect(SyntaxNode loop)
    {
        var targets = new Dictionary<string, List<IdentifierNameSyntax>>(StringComparer.Ordinal);
        foreach (var node in loop.DescendantNodes())
        {
            ExpressionSyntax? target = node switch
            {
                AssignmentExpressionSyntax a => a.Left,
                PrefixUnaryExpressionSyntax p when p.OperatorToken.Text is "++" or "--" => p.Operand,
                PostfixUnaryExpressionSyntax p when p.OperatorToken.Text is "++" or "--" => p.Operand,
                ArgumentSyntax { RefKindKeyword.Text: "ref" or "out" } arg => arg.Expression,
                _ => null,
            };
            if (target is TupleExpressionSyntax tuple) // `(a, b) = ...` assigns both
                foreach (var element in tuple.Arguments) Add(element.Expression);
            else if (target is not null) Add(target);
        }
        return targets;

        void Add(ExpressionSyntax target)
        {
            if (target is not IdentifierNameSyntax id) return;
            if (!targets.TryGetValue(id.Identifier.ValueText, out var list)) targets[id.Identifier.ValueText] = list = [];
            list.Add(id);
        }
    }
}
