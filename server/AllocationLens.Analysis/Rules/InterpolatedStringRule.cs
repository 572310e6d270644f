using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Interpolated strings. A constant one folds at compile time. Converted to string, it is built with
/// DefaultInterpolatedStringHandler (no boxing of holes) and allocates the result. Converted to a
/// custom handler (StringBuilder.Append, logging APIs) it writes through the handler and allocates no
/// string. Converted to FormattableString or IFormattable it allocates that object and boxes holes.
/// </summary>
internal sealed class InterpolatedStringRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.InterpolatedString];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        var type = operation.Type;
        var parent = operation.Parent;
        while (parent is IConversionOperation { Conversion.IsIdentity: true }) parent = parent.Parent;
        // FormattableString and IFormattable are never folded, not even when every hole is a constant
        // (or there is none): the compiler calls FormattableStringFactory.Create with an object[] of the holes.
        if (parent is IConversionOperation { Type: { } target } && IsFormattable(target))
        {
            Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Heap, "string", target, null,
                $"a `{target.Name}` object from FormattableStringFactory.Create, with an object[] of the holes (value types boxed); never folded, even when the holes are constants",
                ["Format into a string or a handler directly instead of a FormattableString."]);
            return;
        }
        if (operation.ConstantValue.HasValue)
        {
            Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Stack, "string", type, null,
                "all holes are constants, so the compiler folds it into one literal", []);
            return;
        }
        // `$"{s}"` with one string hole and nothing else compiles to `s ?? ""`.
        if (operation is IInterpolatedStringOperation { Parts: [IInterpolationOperation { Alignment: null, FormatString: null, Expression.Type.SpecialType: SpecialType.System_String }] })
        {
            Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Stack, "string", type, null,
                "a lone string hole compiles to `s ?? \"\"`; nothing is allocated", []);
            return;
        }
        // An operand of `+`: the concatenation's site reports the whole expression.
        if (parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, Type.SpecialType: SpecialType.System_String }) return;
        if (parent is IInterpolatedStringHandlerCreationOperation handler)
        {
            var handlerType = handler.Type;
            if (handlerType?.Name == "DefaultInterpolatedStringHandler" && handler.Parent is not IArgumentOperation)
            {
                Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Heap, "string", ctx.Session.Compilation.GetSpecialType(SpecialType.System_String), null,
                    "a new string built with DefaultInterpolatedStringHandler", Candidates.StringRemedies);
                return;
            }
            Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Stack, "string", handlerType, null,
                $"formatted through `{handlerType?.Name}`, which writes into its destination; no string is allocated", []);
            return;
        }
        Candidates.Fixed(ctx, operation.Syntax, AllocationKind.Heap, "string", type, null, "a new string from the interpolation", Candidates.StringRemedies);
    }

    private static bool IsFormattable(ITypeSymbol type) =>
        type.Name is "FormattableString" or "IFormattable" && type.ContainingNamespace is { Name: "System", ContainingNamespace.IsGlobalNamespace: true };
}
