using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Whether an expression in a loop could be computed once before it: it calls nothing and reads no local
/// or parameter that the loop declares or assigns. Calls and element reads are treated as varying (they
/// may return something new each time); fields and properties read through `this` are assumed stable,
/// which can be wrong when the loop writes them.
/// </summary>
internal static class LoopInvariant
{
    public static bool Reads(SemanticModel model, SyntaxNode site)
    {
        var (_, loop) = Loops.Of(site);
        if (loop is null) return false;
        foreach (var node in site.DescendantNodes())
        {
            switch (node)
            {
                case InvocationExpressionSyntax or ElementAccessExpressionSyntax or AwaitExpressionSyntax:
                    return false;
                case IdentifierNameSyntax name when model.GetSymbolInfo(name).Symbol is ILocalSymbol or IParameterSymbol:
                    var symbol = model.GetSymbolInfo(name).Symbol!;
                    if (symbol.DeclaringSyntaxReferences.Any(r => loop.Span.Contains(r.Span))) return false;
                    if (AssignedIn(loop, symbol, model)) return false;
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
