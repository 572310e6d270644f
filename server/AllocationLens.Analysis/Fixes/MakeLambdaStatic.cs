using System.Collections.Immutable;
using AllocationLens.Analysis.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis.Fixes;

/// <summary>
/// `x => x * 2` → `static x => x * 2`. A lambda that captures nothing is already cached by the compiler;
/// `static` keeps it that way: a later edit that captures a variable or `this` becomes a compile error
/// instead of a silent closure and delegate per call. Offered only for lambdas and anonymous methods that
/// capture nothing (no local, parameter, `this`/`base`, or non-static local function of an enclosing
/// function), from C# 9.
/// </summary>
internal sealed class MakeLambdaStatic : AllocationFix
{
    public override string Id => "make-lambda-static";

    public override bool Targets(SyntaxNode node) =>
        node is AnonymousFunctionExpressionSyntax lambda && !lambda.Modifiers.Any(SyntaxKind.StaticKeyword);

    public override QuickFix? Offer(SyntaxNode node, FixContext context)
    {
        if (context.LanguageVersion < LanguageVersion.CSharp9) return null;
        var lambda = (AnonymousFunctionExpressionSyntax)node;
        if (context.Model.GetOperation(lambda, context.CancellationToken) is not IAnonymousFunctionOperation operation) return null;
        if (Captures.Of(operation.Symbol, operation.Body) != CaptureKind.None) return null;
        // Before the lambda's modifiers or parameters, after any attributes: `[A] static (x) => ...`.
        var first = lambda is ParenthesizedLambdaExpressionSyntax { AttributeLists.Count: > 0 } withAttributes
            ? withAttributes.AttributeLists.Last().GetLastToken().GetNextToken()
            : lambda is SimpleLambdaExpressionSyntax { AttributeLists.Count: > 0 } simple
                ? simple.AttributeLists.Last().GetLastToken().GetNextToken()
                : lambda.GetFirstToken();
        return new QuickFix(Id, "Make the lambda static (it captures nothing)", lambda.Span,
            [new TextChange(new TextSpan(first.SpanStart, 0), "static ")]);
    }
}
