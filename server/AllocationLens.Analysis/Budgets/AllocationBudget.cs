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

    /// <summary>With `--verify`: how many of its own sites the JIT's verdict decided; null when only the static model judged.</summary>
    public BudgetBasis? Basis { get; init; }
}

/// <summary>
/// Which verdicts decided a budget: <see cref="ByJit"/> counted sites the JIT judged, <see cref="ByStaticModel"/>
/// counted sites it did not, <see cref="ClearedByJit"/> static heap or boxed sites left out because the JIT
/// left no allocation for them; <see cref="Text"/> says so in the violation's sentence.
/// </summary>
public sealed record BudgetBasis(int ByJit, int ByStaticModel, int ClearedByJit, string Text);
