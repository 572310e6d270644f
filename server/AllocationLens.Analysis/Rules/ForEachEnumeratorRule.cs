using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// <c>foreach</c> enumerators. Arrays, strings and spans are indexed; List&lt;T&gt;, Dictionary and
/// friends return struct enumerators: no allocation. Through an interface (IEnumerable&lt;T&gt;, IList&lt;T&gt;)
/// GetEnumerator returns a boxed or class enumerator, a heap object, except that .NET 10 in optimized
/// code guesses the collection's type (guarded devirtualization) and stack-allocates the enumerator
/// when the guess holds. We claim that only when the concrete type is known here; a polymorphic
/// collection allocates.
/// </summary>
internal sealed class ForEachEnumeratorRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.Loop];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        if (operation is not IForEachLoopOperation loop || loop.Syntax is not CommonForEachStatementSyntax syntax) return;
        var collection = loop.Collection;
        while (collection is IConversionOperation { IsImplicit: true } c) collection = c.Operand;
        var type = collection.Type;
        if (type is null || type is IArrayTypeSymbol || type.SpecialType == SpecialType.System_String || type.TypeKind == TypeKind.Error) return;
        if (syntax.AwaitKeyword != default) return;

        var info = ctx.Model.GetForEachStatementInfo(syntax);
        var enumerator = info.GetEnumeratorMethod?.ReturnType;
        if (enumerator is null || enumerator.IsValueType) return;
        // The collection is itself a fresh iterator or LINQ object whose GetEnumerator returns itself: its call is the site.
        if (collection is IInvocationOperation producer && (AllocatingApis.Describe(producer.TargetMethod) is not null || IsSourceIterator(producer.TargetMethod)))
            return;

        var where = Spans.Of(syntax.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(syntax.ForEachKeyword.SpanStart, syntax.CloseParenToken.Span.End));
        string subject = $"foreach over {type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}";
        var remedies = System.Collections.Immutable.ImmutableArray.Create(
            "Enumerate the concrete type (List<T>, T[]) so foreach uses its struct enumerator, or index with a for loop.");
        var (depth, loopAround) = Loops.Of(syntax);
        var runtime = ctx.Runtime;

        if (type.TypeKind == TypeKind.Interface && runtime.StackAllocatesGuardedEnumerators && depth == 0 && !ctx.Function.RunsOnce)
        {
            var concrete = ConcreteTypes.Of(collection, ctx);
            if (concrete is not null && IsFrameworkCollection(concrete))
            {
                Candidates.Fixed(ctx, syntax, AllocationKind.Stack, "enumerator", enumerator, null,
                    $"the collection is always a `{concrete.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)}`; {runtime.Name} devirtualizes GetEnumerator under a type guard and stack-allocates the enumerator",
                    [], certain: false, where: where, subject: subject);
                return;
            }
            Candidates.Fixed(ctx, syntax, AllocationKind.Heap, "enumerator", enumerator, 40,
                $"GetEnumerator through `{type.Name}` returns a heap enumerator; {runtime.Name} can avoid it only when one concrete collection type dominates at run time, which we cannot see here",
                remedies, certain: false, where: where, subject: subject);
            return;
        }
        string reason = type.TypeKind == TypeKind.Interface
            ? $"GetEnumerator through `{type.Name}` returns a boxed or class enumerator on the heap"
            : $"`{type.Name}.GetEnumerator()` returns a class enumerator on the heap";
        Candidates.Fixed(ctx, syntax, AllocationKind.Heap, "enumerator", enumerator, 40, reason, remedies, where: where, subject: subject);
    }

    /// <summary>
    /// A source iterator (a body with `yield`), whose fresh object is its own first enumerator. A source method
    /// that only returns a collection through IEnumerable&lt;T&gt; is not one: measured on .NET 8 and 9
    /// (test/runtime/corpus/RealCode.cs, Case_ForEachOverCallResult), the foreach over it allocates the enumerator.
    /// </summary>
    internal static bool IsSourceIterator(IMethodSymbol method) =>
        method.ReturnType.Name is "IEnumerable" or "IEnumerator"
        && method.DeclaringSyntaxReferences.Any(r => r.GetSyntax() switch
        {
            BaseMethodDeclarationSyntax m => HasYield((SyntaxNode?)m.Body ?? m.ExpressionBody),
            LocalFunctionStatementSyntax f => HasYield((SyntaxNode?)f.Body ?? f.ExpressionBody),
            AccessorDeclarationSyntax a => HasYield((SyntaxNode?)a.Body ?? a.ExpressionBody),
            _ => false,
        });

    private static bool HasYield(SyntaxNode? body) =>
        body is not null && body.DescendantNodes(n => n == body || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .OfType<YieldStatementSyntax>().Any();

    private static bool IsFrameworkCollection(ITypeSymbol type) =>
        type is IArrayTypeSymbol || type.ContainingNamespace?.ToDisplayString() is "System.Collections.Generic" or "System.Collections.ObjectModel";
}
