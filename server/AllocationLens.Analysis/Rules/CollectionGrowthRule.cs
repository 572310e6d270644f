using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Collection growth: adding to a List, Dictionary, HashSet, Queue or Stack created in this function
/// without a capacity, inside a loop, reallocates its backing storage each time it fills (capacity
/// doubles). Informational: the exact number of reallocations depends on the data.
/// </summary>
internal sealed class CollectionGrowthRule : AllocationRule
{
    private static readonly HashSet<string> Growing = new(StringComparer.Ordinal) { "List", "Dictionary", "HashSet", "Queue", "Stack", "SortedList" };
    private static readonly HashSet<string> Adders = new(StringComparer.Ordinal) { "Add", "AddRange", "Insert", "TryAdd", "Enqueue", "Push" };

    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.Invocation];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        var call = (IInvocationOperation)operation;
        if (!Adders.Contains(call.TargetMethod.Name) || call.Instance is not ILocalReferenceOperation local) return;
        var type = local.Local.Type as INamedTypeSymbol;
        if (type is null || !Growing.Contains(type.Name) || type.ContainingNamespace?.ToDisplayString() != "System.Collections.Generic") return;

        var declarator = local.Local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as VariableDeclaratorSyntax;
        if (declarator?.Initializer is not { } init) return;
        if (ctx.Model.GetOperation(init.Value) is not { } created) return;
        while (created is IConversionOperation c) created = c.Operand;
        bool withoutCapacity = created switch
        {
            IObjectCreationOperation o => o.Arguments.IsEmpty,
            ICollectionExpressionOperation => true,
            _ => false,
        };
        if (!withoutCapacity) return;

        var (callDepth, loop) = Loops.Of(call.Syntax);
        var (declDepth, _) = Loops.Of(declarator);
        if (callDepth <= declDepth || loop is null) return;

        var loopAt = Spans.Of(loop);
        Candidates.Fixed(ctx, call.Syntax, AllocationKind.Heap, "growth", type, null,
            $"`{local.Local.Name}` was created without a capacity (line {Spans.Of(declarator).Line + 1}), so adding in the {Loops.Keyword(loop)} loop at line {loopAt.Line + 1} reallocates its storage each time it fills",
            [$"Give it an initial capacity: new {type.Name}<...>(expectedCount).", "Or reuse one collection and Clear() it."], certain: false);
    }
}
