using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Boxing conversions: a value type converted to object, an interface, ValueType or Enum, in any
/// position (argument, assignment, return, tuple element, string.Format argument). The box is a heap
/// object unless the JIT (.NET 9+) stack-allocates it because it never escapes. Boxing a
/// <c>Nullable&lt;T&gt;</c> boxes the underlying value, or produces null without allocating.
/// </summary>
internal sealed class BoxingRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.Conversion];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        var conversion = (IConversionOperation)operation;
        if (!OperationFacts.IsBoxing(conversion)) return;
        var operand = conversion.Operand;
        var source = operand.Type;
        if (source is null || source.TypeKind == TypeKind.Error || conversion.Type is null) return;

        // `"n=" + 5`: the compiler calls ToString() on value-type operands of string concatenation instead of boxing.
        if (conversion.Parent is IBinaryOperation { OperatorKind: BinaryOperatorKind.Add, Type.SpecialType: SpecialType.System_String } && conversion.IsImplicit)
            return;

        var site = operand.Syntax;
        string target = conversion.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        string from = source.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
        var remedies = Candidates.BoxRemedies;

        if (source is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T, TypeArguments: [var underlying] })
        {
            if (IsAlwaysNull(operand, ctx))
            {
                Candidates.Fixed(ctx, site, AllocationKind.Stack, "box", source, null, $"boxing a null `{from}` produces a null reference; nothing is allocated", []);
                return;
            }
            // Measured on .NET 11.0.0: a Nullable<T> box that does not escape no longer reaches the heap,
            // so it is judged like any other box there.
            if (ctx.Runtime.RemovesNullableAndEnumEqualsBoxes)
            {
                Candidates.Report(ctx, conversion, site, CandidateKind.Box, "box", underlying, ObjectSizes.OfBox(underlying, ctx.Facts), remedies,
                    subject: $"{Spans.Subject(site, 32)} ({from} → {target})");
                return;
            }
            // Up to .NET 10 the JIT boxes Nullable<T> through a runtime helper, not the allocation its
            // escape analysis can move to the stack: a non-null Nullable box is always a heap object.
            Candidates.Fixed(ctx, site, AllocationKind.Boxed, "box", underlying, ObjectSizes.OfBox(underlying, ctx.Facts),
                $"boxing a `{from}` with a value allocates a `{underlying.Name}` box through a runtime helper the JIT never stack-allocates",
                [.. remedies, "Test HasValue and pass the underlying value, or keep the Nullable<T> typed."]);
            return;
        }
        if (source.TypeKind == TypeKind.TypeParameter)
        {
            Candidates.Fixed(ctx, site, AllocationKind.Boxed, "box", source, null,
                $"`{from}` converted to `{target}` boxes when `{from}` is a value type at run time", remedies, certain: false);
            return;
        }
        // `flags.HasFlag(Flag.X)`: optimized code expands Enum.HasFlag as a JIT intrinsic when both sides are
        // the same enum type, a bit test with no box, inside loops too (AngleSharp: 20 argument boxes had been
        // "allocated on every iteration"). The receiver is StructVirtualCallRule's; this is the argument.
        if (ctx.Runtime.IsCore && ctx.Runtime.Optimized && source.TypeKind == TypeKind.Enum && IsHasFlagArgumentOfSameEnum(conversion, source))
        {
            Candidates.Fixed(ctx, site, AllocationKind.Stack, "box", source, null,
                $"`Enum.HasFlag` is a JIT intrinsic when both sides are `{from}`: it tests the bits, and the argument is never boxed", []);
            return;
        }
        Candidates.Report(ctx, conversion, site, CandidateKind.Box, "box", source, ObjectSizes.OfBox(source, ctx.Facts), remedies,
            subject: $"{Spans.Subject(site, 32)} ({from} → {target})");
    }

    private static bool IsHasFlagArgumentOfSameEnum(IConversionOperation conversion, ITypeSymbol source)
    {
        if (conversion.Parent is not IArgumentOperation { Parent: IInvocationOperation { TargetMethod: { Name: "HasFlag", IsStatic: false } method, Instance: { } instance } }
            || method.ContainingType?.SpecialType != SpecialType.System_Enum)
            return false;
        while (instance is IConversionOperation { IsImplicit: true } implicitConversion) instance = implicitConversion.Operand;
        return SymbolEqualityComparer.Default.Equals(instance.Type, source);
    }

    /// <summary>The operand is null: a null literal/default, or a local that is only ever assigned null.</summary>
    private static bool IsAlwaysNull(IOperation operand, RuleContext ctx)
    {
        if (IsNullConstant(operand)) return true;
        if (operand is not ILocalReferenceOperation local) return false;
        var declaration = local.Local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
        if (declaration is null) return false;
        var declarator = ctx.Model.GetOperation(declaration) as IVariableDeclaratorOperation;
        var initializer = declarator?.Initializer?.Value ?? declarator?.GetVariableInitializer()?.Value;
        if (initializer is null || !IsNullConstant(initializer)) return false;
        foreach (var reference in ctx.Function.Escape(ctx.Session).ReferencesOf(local.Local))
            if (reference.Parent is IAssignmentOperation assignment && assignment.Target == reference && !IsNullConstant(assignment is ISimpleAssignmentOperation s ? s.Value : assignment))
                return false;
            else if (reference.Parent is IArgumentOperation { Parameter.RefKind: not RefKind.None })
                return false;
        return true;
    }

    private static bool IsNullConstant(IOperation op)
    {
        while (op is IConversionOperation c) op = c.Operand;
        return op is IDefaultValueOperation || op.ConstantValue is { HasValue: true, Value: null };
    }
}
