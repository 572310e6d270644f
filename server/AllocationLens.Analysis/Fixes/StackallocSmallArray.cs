using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis.Fixes;

/// <summary>
/// `var buffer = new byte[16];` → `Span&lt;byte&gt; buffer = stackalloc byte[16];`: a small array of unmanaged
/// elements that never leaves the method goes in the stack frame. Offered only when all of these hold:
/// - the element type is unmanaged (never a reference type or a struct holding references);
/// - the length is a constant and the array is at most <see cref="MaxBytes"/> bytes;
/// - it initializes a local that is not in a loop (each iteration would grow the frame), not in an async
///   method, iterator or lambda-captured scope, and no `[SkipLocalsInit]` applies (stackalloc memory would
///   not be zeroed as `new` zeroes it);
/// - every use of the local is one a Span&lt;T&gt; supports with the same meaning: indexing with an int or
///   Index (not a range, which copies for an array but slices a span), `.Length`, `foreach`, or an argument
///   to a Span&lt;T&gt;/ReadOnlySpan&lt;T&gt; parameter of a call whose result is not a ref struct. Anything else
///   (returned, stored, assigned, captured, passed as an array) means it may escape: not offered.
/// </summary>
internal sealed class StackallocSmallArray : AllocationFix
{
    public const int MaxBytes = 1024;

    public override string Id => "stackalloc-small-array";

    public override bool Targets(SyntaxNode node) =>
        node is ArrayCreationExpressionSyntax { Type.RankSpecifiers: [{ Sizes: [_] }], Parent: EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax } } } };

    public override QuickFix? Offer(SyntaxNode node, FixContext context)
    {
        var creation = (ArrayCreationExpressionSyntax)node;
        var model = context.Model;
        var ct = context.CancellationToken;
        var declarator = (VariableDeclaratorSyntax)creation.Parent!.Parent!;
        var declaration = (VariableDeclarationSyntax)declarator.Parent!;
        var statement = (LocalDeclarationStatementSyntax)declaration.Parent!;
        if (statement.UsingKeyword.RawKind != 0 || statement.IsConst || statement.AwaitKeyword.RawKind != 0) return null;
        if (model.GetTypeInfo(creation, ct).Type is not IArrayTypeSymbol { Rank: 1, ElementType: var element }) return null;
        if (element.IsReferenceType || !element.IsUnmanagedType || element.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.TypeParameter) return null;
        if (model.GetOperation(creation, ct) is not IArrayCreationOperation { DimensionSizes: [var size] } || size.ConstantValue is not { HasValue: true, Value: int length } || length <= 0) return null;
        if ((long)length * ObjectSizes.ElementSize(element) > MaxBytes) return null;
        if (context.Compilation.GetTypeByMetadataName("System.Span`1") is not { } spanType) return null;
        if (model.GetDeclaredSymbol(declarator, ct) is not ILocalSymbol local) return null;

        var function = FixSyntax.EnclosingFunction(statement);
        if (function is null || Loops.Of(statement).Depth > 0) return null;
        if (model.GetEnclosingSymbol(statement.SpanStart, ct) is IMethodSymbol { IsAsync: true } || IsIterator(function)) return null;
        if (FixSyntax.SkipsLocalsInit(statement, context)) return null;
        if (!AllUsesFitASpan(local, function, model, ct)) return null;

        var elementName = FixSyntax.TypeName(element, context, statement.SpanStart);
        var spanName = $"Span<{elementName}>";
        var bound = model.GetSpeculativeTypeInfo(statement.SpanStart, SyntaxFactory.ParseTypeName(spanName), SpeculativeBindingOption.BindAsTypeOrNamespace).Type;
        if (!SymbolEqualityComparer.Default.Equals(bound?.OriginalDefinition, spanType)) spanName = "System." + spanName;
        return new QuickFix(Id, $"Use stackalloc into a {spanName} ({length} elements, never leaves the method)", creation.Span,
        [
            new TextChange(declaration.Type.Span, spanName),
            new TextChange(creation.NewKeyword.Span, "stackalloc"),
        ]);
    }

    private static bool IsIterator(SyntaxNode function) =>
        function.DescendantNodes(n => n == function || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)).OfType<YieldStatementSyntax>().Any();

    private static bool AllUsesFitASpan(ILocalSymbol local, SyntaxNode function, SemanticModel model, CancellationToken ct)
    {
        foreach (var identifier in function.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText != local.Name || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, ct).Symbol, local)) continue;
            // A ref struct cannot be captured by a lambda or local function.
            if (FixSyntax.EnclosingFunction(identifier) != function) return false;
            if (!FitsASpan(identifier, model, ct)) return false;
        }
        return true;
    }

    private static bool FitsASpan(IdentifierNameSyntax use, SemanticModel model, CancellationToken ct)
    {
        switch (use.Parent)
        {
            case ElementAccessExpressionSyntax access when access.Expression == use:
                return access.ArgumentList.Arguments is [{ RefKindKeyword.RawKind: 0 } index]
                    && model.GetTypeInfo(index.Expression, ct).Type is { } indexType
                    && (indexType.SpecialType == SpecialType.System_Int32 || indexType is { Name: "Index", ContainingNamespace.Name: "System" });
            case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" } member when member.Expression == use:
                return true;
            case ForEachStatementSyntax loop when loop.Expression == use:
                return true;
            case ArgumentSyntax { RefKindKeyword.RawKind: 0, Parent.Parent: InvocationExpressionSyntax call } argument:
                if (model.GetOperation(argument, ct) is not IArgumentOperation { Parameter: { } parameter }) return false;
                if (parameter.Type is not INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", Arity: 1, ContainingNamespace.Name: "System" }) return false;
                return model.GetTypeInfo(call, ct).Type is not { IsRefLikeType: true };
            default:
                return false;
        }
    }
}
