using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// String concatenation: one <c>string.Concat</c> per chain, so one site at the outermost <c>+</c>.
/// Constants fold at compile time; a chain whose only non-empty operand is one string is compiled to
/// <c>s ?? ""</c> and allocates nothing. Value-type operands are converted with ToString(), which may
/// allocate as well.
/// </summary>
internal sealed class StringConcatenationRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.Binary, OperationKind.CompoundAssignment];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        if (operation is ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Type.SpecialType: SpecialType.System_String } compound)
        {
            Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Heap, "string", operation.Type, null,
                "`+=` on a string allocates a new string with both parts copied", Candidates.StringRemedies);
            return;
        }
        if (!IsConcat(operation) || IsConcat(operation.Parent)) return;
        var type = operation.Type;
        if (operation.ConstantValue is { HasValue: true, Value: string folded })
        {
            Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Stack, "string", type, null,
                "constant operands: the compiler folds the concatenation into one literal", []);
            return;
        }
        var operands = new List<IOperation>();
        Flatten(operation, operands);
        var live = operands.Where(o => o.ConstantValue is not { HasValue: true, Value: "" or null }).ToList();
        if (live.Count == 1 && Unwrap(live[0]).Type?.SpecialType == SpecialType.System_String)
        {
            Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Stack, "string", type, null,
                "concatenating one string with empty strings compiles to `s ?? \"\"`; nothing is allocated", []);
            return;
        }
        int? bytes = null;
        string reason = "a new string from string.Concat";
        if (live.Any(o => Unwrap(o).Type is { IsValueType: true })) reason += "; value-type operands are formatted with ToString(), which may allocate too";
        if (live.Any(o => Unwrap(o) is IInterpolatedStringOperation)) reason += "; the interpolated operand builds its own string first";
        Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Heap, "string", type, bytes, reason, Candidates.StringRemedies);
    }

    private static bool IsConcat(IOperation? op) =>
        op is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, Type.SpecialType: SpecialType.System_String, OperatorMethod: null };

    private static IOperation Unwrap(IOperation op) => op is IConversionOperation { IsImplicit: true } c ? c.Operand : op;

    private static void Flatten(IOperation op, List<IOperation> into)
    {
        var stack = new Stack<IOperation>();
        stack.Push(op);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            if (IsConcat(current) && current is IBinaryOperation binary && !current.ConstantValue.HasValue)
            {
                stack.Push(binary.RightOperand);
                stack.Push(binary.LeftOperand);
            }
            else into.Add(current);
        }
    }
}
