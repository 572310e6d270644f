using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Analysis;

/// <summary>
/// Finds the methods that carry an allocation budget: an attribute named `HotPath`, `AllocationFree` or
/// `NoAllocation` (with or without the `Attribute` suffix, from any namespace, so users need no package
/// from us; optional named arguments `MaxSites`, `MaxBytes` and `CountCold`), or a configured name. Syntax first: a
/// file without any of those attribute names and no configured method costs one pass over its tokens.
/// </summary>
public static class HotMethods
{
    private static readonly string[] Names = ["HotPath", "AllocationFree", "NoAllocation"];

    public static bool IsHotAttributeName(string name)
    {
        var simple = name.Split('.')[^1];
        if (simple.EndsWith("Attribute", StringComparison.Ordinal)) simple = simple[..^"Attribute".Length];
        return Array.IndexOf(Names, simple) >= 0;
    }

    /// <summary>Each budgeted method (or accessor, constructor, local function) of the tree with its budget.</summary>
    public static IEnumerable<(SyntaxNode Declaration, string Name, AllocationBudget Budget)> In(SyntaxTree tree, SemanticModel? model, IReadOnlyList<ConfiguredBudget> configured, CancellationToken cancellationToken = default)
    {
        var root = tree.GetRoot(cancellationToken);
        foreach (var node in root.DescendantNodes(n => n is not (BlockSyntax or ArrowExpressionClauseSyntax)))
        {
            if (node is not (BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax)) continue;
            var attributes = node switch
            {
                BaseMethodDeclarationSyntax m => m.AttributeLists,
                LocalFunctionStatementSyntax l => l.AttributeLists,
                _ => default,
            };
            string name = Describe(node, model, cancellationToken);
            AllocationBudget? budget = null;
            foreach (var attribute in attributes.SelectMany(l => l.Attributes))
            {
                var attributeName = attribute.Name.ToString();
                if (!IsHotAttributeName(attributeName)) continue;
                int sites = 0;
                int? bytes = null;
                bool countCold = false;
                foreach (var argument in attribute.ArgumentList?.Arguments ?? default)
                {
                    var argName = argument.NameEquals?.Name.Identifier.Text;
                    var value = argument.Expression is LiteralExpressionSyntax { Token.Value: int i } ? i : (int?)null;
                    if (argName == "MaxSites" && value is { } s) sites = s;
                    if (argName == "MaxBytes" && value is { } b) bytes = b;
                    if (argName == "CountCold" && argument.Expression.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.TrueLiteralExpression)) countCold = true;
                }
                budget = new AllocationBudget(sites, bytes, $"marked [{attributeName}]", countCold);
            }
            foreach (var c in configured)
                if (budget is null && string.Equals(c.Method, name, StringComparison.Ordinal)) budget = c.Budget;
            if (budget is not null) yield return (node, name, budget);
        }
    }

    /// <summary>"Namespace.Type.Method" (the configuration's spelling); without a model, the syntactic path.</summary>
    private static string Describe(SyntaxNode node, SemanticModel? model, CancellationToken cancellationToken)
    {
        if (model?.GetDeclaredSymbol(node, cancellationToken) is IMethodSymbol symbol)
        {
            var type = symbol.ContainingType?.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None));
            var methodName = symbol.MethodKind == MethodKind.Constructor ? symbol.ContainingType?.Name ?? ".ctor" : symbol.Name;
            return type is null ? methodName : $"{type}.{methodName}";
        }
        var parts = node.AncestorsAndSelf().Select(n => n switch
        {
            MethodDeclarationSyntax m => m.Identifier.Text,
            ConstructorDeclarationSyntax c => c.Identifier.Text,
            LocalFunctionStatementSyntax l => l.Identifier.Text,
            BaseTypeDeclarationSyntax t => t.Identifier.Text,
            BaseNamespaceDeclarationSyntax ns => ns.Name.ToString(),
            _ => null,
        }).Where(p => p is not null).Reverse();
        return string.Join(".", parts);
    }
}
