using Microsoft.CodeAnalysis;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// One allocation cause. A rule names the operation kinds it looks at, so the walker dispatches each
/// operation only to the rules that care, and reports sites through the context.
/// </summary>
internal abstract class AllocationRule
{
    public abstract IReadOnlyList<OperationKind> Kinds { get; }
    public abstract void Visit(IOperation operation, RuleContext context);

    /// <summary>Called once when the walker enters a function (method, lambda or local function body).</summary>
    public virtual void EnterFunction(FunctionScope function, RuleContext context) { }
}
