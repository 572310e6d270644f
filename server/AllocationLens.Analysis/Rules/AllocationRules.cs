using Microsoft.CodeAnalysis;

namespace AllocationLens.Analysis.Rules;

/// <summary>Every rule, indexed by the operation kinds it handles. Built once; stateless afterwards.</summary>
internal sealed class AllocationRules
{
    public static AllocationRules Default { get; } = new(
    [
        new ObjectCreationRule(),
        new AnonymousObjectRule(),
        new WithExpressionRule(),
        new ArrayCreationRule(),
        new CollectionExpressionRule(),
        new ParamsArrayRule(),
        new BoxingRule(),
        new StructVirtualCallRule(),
        new DelegateRule(),
        new ClosureRule(),
        new StringConcatenationRule(),
        new InterpolatedStringRule(),
        new AllocatingApiRule(),
        new AsyncAndIteratorCallRule(),
        new ForEachEnumeratorRule(),
        new CollectionGrowthRule(),
        new RangeSliceRule(),
        new ExpressionTreeRule(),
    ]);

    private readonly Dictionary<OperationKind, AllocationRule[]> _byKind;

    public AllocationRules(IReadOnlyList<AllocationRule> rules)
    {
        All = rules;
        _byKind = rules.SelectMany(r => r.Kinds.Select(k => (k, r)))
            .GroupBy(p => p.k)
            .ToDictionary(g => g.Key, g => g.Select(p => p.r).ToArray());
    }

    public IReadOnlyList<AllocationRule> All { get; }
    public StackAllocRule StackAlloc { get; } = new();

    public IReadOnlyList<AllocationRule> For(OperationKind kind) => _byKind.TryGetValue(kind, out var rules) ? rules : [];
}
