namespace AllocationLens.Analysis;

/// <summary>
/// What a hot method may allocate per call: at most <see cref="MaxSites"/> heap or boxed sites and, where
/// sizes are static, at most <see cref="MaxBytes"/> bytes. The default budget is zero: allocation-free.
/// </summary>
/// <param name="Source">Where the budget came from: the attribute's name or the configuration file.</param>
/// <param name="CountCold">Count sites that are cold by construction (throws, catch blocks, static initializers) too; by default they are left out.</param>
public sealed record AllocationBudget(int MaxSites, int? MaxBytes, string Source, bool CountCold = false)
{
    public static AllocationBudget AllocationFree(string source) => new(0, null, source);
}

/// <summary>A hot method named in configuration ("Namespace.Type.Method", as C# spells it without parameters).</summary>
public sealed record ConfiguredBudget(string Method, AllocationBudget Budget);

/// <summary>A hot method over its budget: where it is declared, what it allocates, and the sentence that says so.</summary>
public sealed record BudgetViolation(string Method, SourceSpan Declaration, AllocationBudget Budget, IReadOnlyList<AllocationSite> Sites, string Message)
{
    /// <summary>The hot method's calls whose source callees allocate, counted into the budget.</summary>
    public IReadOnlyList<CallSummary> Calls { get; init; } = [];
}
