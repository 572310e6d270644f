using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// A call that passes a <c>params</c> array allocates it at the call (users read the cost at the call):
/// no arguments use the cached Array.Empty; C# 13 <c>params ReadOnlySpan&lt;T&gt;</c> builds the span on
/// the stack; otherwise the array goes to the callee, which keeps it local only if the JIT inlines it.
/// </summary>
internal sealed class ParamsArrayRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.Invocation, OperationKind.ObjectCreation];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        var arguments = operation switch
        {
            IInvocationOperation invocation => invocation.Arguments,
            IObjectCreationOperation creation => creation.Arguments,
            _ => default,
        };
        if (arguments.IsDefaultOrEmpty) return;
        foreach (var argument in arguments)
        {
            if (argument.ArgumentKind is not (ArgumentKind.ParamArray or ArgumentKind.ParamCollection)) continue;
            var type = argument.Value.Type;
            var where = Spans.Of(operation.Syntax);
            string subject = Spans.Subject(operation.Syntax);
            if (type is not null && CollectionExpressionRule.IsSpan(type))
            {
                Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Stack, "params", type, null,
                    "`params ReadOnlySpan<T>` passes the arguments in an inline array on the stack", [], where: where, subject: subject);
                continue;
            }
            if (argument.Value is IArrayCreationOperation array)
            {
                bool empty = array.Initializer is { ElementValues.Length: 0 } || array.DimensionSizes is [{ ConstantValue: { HasValue: true, Value: 0 } }];
                if (empty)
                {
                    Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Stack, "params", type, null,
                        "no arguments for the params array: the compiler passes the cached Array.Empty<T>()", [], where: where, subject: subject);
                    continue;
                }
                ArrayCreationRule.Judge(ctx, array, operation.Syntax, where, subject);
            }
            else if (argument.Value is ICollectionExpressionOperation)
            {
                continue; // judged by CollectionExpressionRule at the collection expression
            }
        }
    }
}
