using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis.Fixes;

/// <summary>
/// `new T[0]` and `new T[] { }` → `Array.Empty&lt;T&gt;()` (or `[]` where the target type is the same array type and
/// the language has collection expressions, which compile to the same cached instance): one shared
/// empty array per T instead of a new one per call. A zero-length array has no elements to share, so only
/// reference identity (locking on it, comparing references) could tell the difference. Offered for
/// single-dimensional arrays only, where Array.Empty exists (.NET Framework 4.6 and later).
/// </summary>
internal sealed class UseArrayEmpty : AllocationFix
{
    public override string Id => "use-empty-array";

    public override bool Targets(SyntaxNode node) => node is ArrayCreationExpressionSyntax { Type.RankSpecifiers: [{ Sizes: [var size] }, ..] } creation
        && (creation.Initializer is { Expressions.Count: 0 } && size is OmittedArraySizeExpressionSyntax or LiteralExpressionSyntax { Token.ValueText: "0" }
            || creation.Initializer is null && size is LiteralExpressionSyntax { Token.ValueText: "0" });

    public override QuickFix? Offer(SyntaxNode node, FixContext context)
    {
        var creation = (ArrayCreationExpressionSyntax)node;
        var model = context.Model;
        if (model.GetTypeInfo(creation, context.CancellationToken) is not { Type: IArrayTypeSymbol { Rank: 1 } arrayType } info) return null;
        var arrayClass = context.Compilation.GetSpecialType(SpecialType.System_Array);
        if (!arrayClass.GetMembers("Empty").OfType<IMethodSymbol>().Any(m => m is { IsGenericMethod: true, Parameters.Length: 0 })) return null;
        if (IsLocked(creation, model, context.CancellationToken)) return null;

        // `[]` when the expression is converted to exactly its own type from a typed declaration or return.
        if (context.LanguageVersion >= LanguageVersion.CSharp12 && SymbolEqualityComparer.Default.Equals(info.ConvertedType, arrayType)
            && creation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Type.IsVar: false } } or PropertyDeclarationSyntax })
            return new QuickFix(Id, "Use [] (the cached empty array)", creation.Span, [new TextChange(creation.Span, "[]")]);

        var call = $"Array.Empty<{FixSyntax.TypeName(arrayType.ElementType, context, creation.SpanStart)}>()";
        var speculative = SyntaxFactory.ParseExpression(call);
        var bound = model.GetSpeculativeSymbolInfo(creation.SpanStart, speculative, SpeculativeBindingOption.BindAsExpression).Symbol;
        if (!SymbolEqualityComparer.Default.Equals(bound?.ContainingType, arrayClass)) call = "System." + call;
        return new QuickFix(Id, $"Use {call} (one cached empty array)", creation.Span, [new TextChange(creation.Span, call)]);
    }

    /// <summary>`lock (new object[0])`-style identity uses, directly or through the local it initializes.</summary>
    private static bool IsLocked(ArrayCreationExpressionSyntax creation, SemanticModel model, CancellationToken ct)
    {
        if (creation.Parent is LockStatementSyntax) return true;
        if (creation.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator } || model.GetDeclaredSymbol(declarator, ct) is not { } symbol) return false;
        var scope = FixSyntax.EnclosingFunction(creation) ?? creation.Ancestors().OfType<TypeDeclarationSyntax>().FirstOrDefault() as SyntaxNode;
        return scope is not null && scope.DescendantNodes().OfType<LockStatementSyntax>().Any(l =>
            l.Expression is IdentifierNameSyntax or MemberAccessExpressionSyntax && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(l.Expression, ct).Symbol, symbol));
    }
}
