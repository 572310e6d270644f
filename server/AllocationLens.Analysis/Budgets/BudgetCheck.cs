using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Analysis;

/// <summary>
/// Checks hot methods against their budgets. A method's own heap and boxed sites count, including those
/// in its lambdas and local functions (they run on its behalf), and so does what its source callees
/// allocate per call (<see cref="CallSummaries"/>, transitively to <see cref="CallSummaries.MaxDepth"/>
/// calls deep) for the calls its own body makes: each call adds its summary's heap and boxed sites and
/// bytes. A call whose target could not be known (a virtual call with several implementations) adds
/// nothing and is not shown. Bytes count where sizes are static; a site of unknown size breaks a byte
/// budget, since it cannot be shown to fit. Sites that are cold by construction (a throw, a catch block,
/// a static initializer) are left out unless <c>countCold</c> (the command line's `--count-cold`) or the
/// budget itself (`CountCold`) asks for them: a hot method's budget is about what it allocates when it
/// runs normally.
/// </summary>
public static class BudgetCheck
{
    public static List<BudgetViolation> Check(SyntaxTree tree, SemanticModel? model, IReadOnlyList<AllocationSite> sites, IReadOnlyList<ConfiguredBudget> configured, CancellationToken cancellationToken = default) =>
        Check(tree, HotMethods.In(tree, model, configured, cancellationToken).ToList(), sites, cancellationToken);

    /// <summary>The same check on hot methods the caller already found (it also needs them to scope its analysis).</summary>
    public static List<BudgetViolation> Check(SyntaxTree tree, IReadOnlyList<(SyntaxNode Declaration, string Name, AllocationBudget Budget)> hot, IReadOnlyList<AllocationSite> sites, CancellationToken cancellationToken = default) =>
        Check(tree, hot, sites, callees: null, cancellationToken);

    /// <summary>
    /// The check with reached callees: <paramref name="callees"/> gives the call summaries of one hot
    /// method's own calls (<see cref="CallSummaries.OfMember"/>); null counts only the method's own sites.
    /// </summary>
    /// <param name="verdictOf">
    /// The verdict that decides a site where a better judge than the static model answered (the JIT, with
    /// `--verify`): its kind and who said it ("the JIT of .NET 10.0.12"); null keeps the static verdict.
    /// </param>
    public static List<BudgetViolation> Check(SyntaxTree tree, IReadOnlyList<(SyntaxNode Declaration, string Name, AllocationBudget Budget)> hot, IReadOnlyList<AllocationSite> sites,
        Func<SyntaxNode, IReadOnlyList<CallSummary>>? callees, CancellationToken cancellationToken = default, bool countCold = false,
        Func<AllocationSite, (AllocationKind Kind, string Judge)?>? verdictOf = null)
    {
        var violations = new List<BudgetViolation>();
        AllocationKind KindOf(AllocationSite s) => verdictOf?.Invoke(s)?.Kind ?? s.Kind;
        foreach (var (declaration, name, budget) in hot)
        {
            var span = declaration.Span;
            bool cold = countCold || budget.CountCold;
            var candidates = sites.Where(s => (cold || s.Cold is null) && span.Contains(s.Where.Span)).ToList();
            var inside = candidates.Where(s => KindOf(s) != AllocationKind.Stack).OrderBy(s => s.Where.Span.Start).ToList();
            var calls = callees is null ? [] : callees(declaration).Where(c => c.Known && c.Total > 0).OrderBy(c => c.Call.Span.Start).ToList();
            int bytes = inside.Sum(s => s.Bytes ?? 0) + calls.Sum(c => c.Bytes);
            bool unknownSize = inside.Any(s => s.Bytes is null) || calls.Any(c => c.UnknownBytes);
            int count = inside.Count + calls.Sum(c => c.Total);
            bool overSites = count > budget.MaxSites;
            bool overBytes = budget.MaxBytes is { } max && (bytes > max || unknownSize && count > 0);
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
            var items = inside.Select(s => (s.Where.Span.Start, $"{KindOf(s).ToString().ToLowerInvariant()} {s.Subject} (line {s.Where.Line + 1})"))
                .Concat(calls.Select(c => (c.Call.Span.Start, $"calls {CallText(c)}")))
                .OrderBy(i => i.Item1).Select(i => i.Item2).ToList();
            var list = string.Join("; ", items.Take(5)) + (items.Count > 5 ? $"; and {items.Count - 5} more" : "");
            var total = $"{count} heap or boxed site(s){(calls.Count > 0 ? " with its callees" : "")}{(unknownSize ? "" : $", {bytes} bytes per call")}";
            var basis = verdictOf is null ? null : Basis(candidates, inside, calls.Count, verdictOf);
            violations.Add(new BudgetViolation(name, where, budget, inside,
                $"`{name}` is {budget.Source} ({limit}) but allocates: {total}: {list}{(basis is null ? "" : $" [{basis.Text}]")}") { Calls = calls, Basis = basis });
        }
        return violations;
    }

    /// <summary>
    /// Which verdicts decided a violation: "2 sites by the JIT of .NET 10.0.12, 1 by the static model; not
    /// counted: 1 static heap site the JIT left no allocation for; callees by the static model".
    /// </summary>
    private static BudgetBasis Basis(List<AllocationSite> candidates, List<AllocationSite> inside, int calls, Func<AllocationSite, (AllocationKind Kind, string Judge)?> verdictOf)
    {
        var judges = inside.Select(s => verdictOf(s)?.Judge).ToList();
        int byJit = judges.Count(j => j is not null);
        int cleared = candidates.Count(s => s.Kind != AllocationKind.Stack && verdictOf(s) is { Kind: AllocationKind.Stack });
        var parts = new List<string>();
        if (byJit > 0) parts.Add($"{byJit} site(s) by {judges.First(j => j is not null)}");
        if (inside.Count - byJit > 0) parts.Add($"{inside.Count - byJit} by the static model (not judged by the JIT)");
        if (cleared > 0) parts.Add($"not counted: {cleared} static heap or boxed site(s) the JIT left no allocation for");
        if (calls > 0) parts.Add("callees by the static model");
        return new BudgetBasis(byJit, inside.Count - byJit, cleared, "verdicts: " + string.Join("; ", parts));
    }

    /// <summary>"`Helper()` (line 9), which allocates 2 heap, 1 boxed".</summary>
    private static string CallText(CallSummary c)
    {
        var parts = new List<string>();
        if (c.Heap > 0) parts.Add($"{c.Heap} heap");
        if (c.Boxed > 0) parts.Add($"{c.Boxed} boxed");
        return $"`{c.Callee}` (line {c.Call.Line + 1}), which {(c.Certain ? "allocates" : "may allocate")} {string.Join(", ", parts)}{(c.UnknownBytes ? "" : $" ({c.Bytes} B)")}";
    }
}
