using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Analysis;

/// <summary>
/// Checks hot methods against their budgets. A method's own heap and boxed sites count, including those
/// in its lambdas and local functions (they run on its behalf); reached callees count once call
/// summaries exist (issue "See the whole project"), not yet. Bytes count where sizes are static; a site
/// of unknown size breaks a byte budget, since it cannot be shown to fit.
/// </summary>
public static class BudgetCheck
{
    public static List<BudgetViolation> Check(SyntaxTree tree, SemanticModel? model, IReadOnlyList<AllocationSite> sites, IReadOnlyList<ConfiguredBudget> configured, CancellationToken cancellationToken = default) =>
        Check(tree, HotMethods.In(tree, model, configured, cancellationToken).ToList(), sites, cancellationToken);

    /// <summary>The same check on hot methods the caller already found (it also needs them to scope its analysis).</summary>
    public static List<BudgetViolation> Check(SyntaxTree tree, IReadOnlyList<(SyntaxNode Declaration, string Name, AllocationBudget Budget)> hot, IReadOnlyList<AllocationSite> sites, CancellationToken cancellationToken = default)
    {
        var violations = new List<BudgetViolation>();
        foreach (var (declaration, name, budget) in hot)
        {
            var span = declaration.Span;
            var inside = sites.Where(s => s.Kind != AllocationKind.Stack && span.Contains(s.Where.Span)).OrderBy(s => s.Where.Span.Start).ToList();
            int bytes = inside.Sum(s => s.Bytes ?? 0);
            bool unknownSize = inside.Any(s => s.Bytes is null);
            bool overSites = inside.Count > budget.MaxSites;
            bool overBytes = budget.MaxBytes is { } max && (bytes > max || unknownSize && inside.Count > 0);
            if (!overSites && !overBytes) continue;
            var identifier = declaration switch
            {
                MethodDeclarationSyntax m => m.Identifier.Span,
                ConstructorDeclarationSyntax c => c.Identifier.Span,
                LocalFunctionStatementSyntax l => l.Identifier.Span,
                _ => new Microsoft.CodeAnalysis.Text.TextSpan(span.Start, 0),
            };
            var where = new SourceSpan(tree.FilePath, identifier, tree.GetLineSpan(identifier, cancellationToken).Span);
            var limit = budget.MaxSites == 0 && budget.MaxBytes is null ? "allocation-free"
                : $"at most {budget.MaxSites} heap or boxed site(s){(budget.MaxBytes is { } b ? $" and {b} bytes" : "")}";
            var list = string.Join("; ", inside.Take(5).Select(s => $"{s.Kind.ToString().ToLowerInvariant()} {s.Subject} (line {s.Where.Line + 1})"))
                + (inside.Count > 5 ? $"; and {inside.Count - 5} more" : "");
            var total = $"{inside.Count} heap or boxed site(s){(unknownSize ? "" : $", {bytes} bytes per call")}";
            violations.Add(new BudgetViolation(name, where, budget, inside,
                $"`{name}` is {budget.Source} ({limit}) but allocates: {total}: {list}"));
        }
        return violations;
    }
}
