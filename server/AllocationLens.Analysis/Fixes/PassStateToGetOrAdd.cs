using AllocationLens.Analysis.Rules;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis.Fixes;

/// <summary>
/// `cache.GetOrAdd(key, k => Create(k, options))` → `cache.GetOrAdd(key, static (k, options) => Create(k, options), options)`:
/// ConcurrentDictionary's state-taking overload (.NET Core 2.0 and later) instead of a closure, so the
/// lambda becomes static and cached and the captured variable needs no display class. Offered when the
/// factory lambda captures exactly one local or parameter, never `this`, and does not assign it (GetOrAdd
/// runs the factory before it returns, so passing the value at the call is what the lambda would have read).
/// The new parameter keeps the variable's name (lambda parameters may shadow since C# 8; `static` needs C# 9).
/// </summary>
internal sealed class PassStateToGetOrAdd : AllocationFix
{
    public override string Id => "pass-state-to-overload";

    public override bool Targets(SyntaxNode node) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetOrAdd" }, ArgumentList.Arguments.Count: 2 };

    public override QuickFix? Offer(SyntaxNode node, FixContext context)
    {
        if (context.LanguageVersion < LanguageVersion.CSharp9) return null;
        var invocation = (InvocationExpressionSyntax)node;
        if (context.Model.GetOperation(invocation, context.CancellationToken) is not IInvocationOperation call) return null;
        var method = call.TargetMethod;
        if (method.ContainingType is not { Name: "ConcurrentDictionary", Arity: 2 } dictionary
            || dictionary.ContainingNamespace?.ToDisplayString() != "System.Collections.Concurrent"
            || method.Parameters is not [_, { Type: INamedTypeSymbol { Name: "Func", Arity: 2 } }]) return null;
        // The overload with state: GetOrAdd<TArg>(TKey, Func<TKey, TArg, TValue>, TArg).
        if (!dictionary.GetMembers("GetOrAdd").OfType<IMethodSymbol>().Any(m => m is { Arity: 1, Parameters.Length: 3 })) return null;

        var factoryArgument = invocation.ArgumentList.Arguments[1];
        if (factoryArgument.Expression is not (SimpleLambdaExpressionSyntax or ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters.Count: 1 }) ) return null;
        var lambdaSyntax = (LambdaExpressionSyntax)factoryArgument.Expression;
        if (lambdaSyntax.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword) || lambdaSyntax.Modifiers.Any(SyntaxKind.StaticKeyword)) return null;
        if (context.Model.GetOperation(lambdaSyntax, context.CancellationToken) is not IAnonymousFunctionOperation lambda) return null;

        ISymbol? captured = null;
        foreach (var op in lambda.Body.DescendantsAndSelf())
        {
            ISymbol? symbol = op switch
            {
                ILocalReferenceOperation l when !Captures.IsDeclaredWithin(l.Local, lambda.Symbol) => l.Local,
                IParameterReferenceOperation p when !Captures.IsDeclaredWithin(p.Parameter, lambda.Symbol) => p.Parameter,
                _ => null,
            };
            if (symbol is not null)
            {
                if (captured is not null && !SymbolEqualityComparer.Default.Equals(captured, symbol)) return null; // more than one: no single state
                captured = symbol;
                if (IsWritten(op)) return null;
            }
        }
        if (captured is null) return null; // captures nothing (or only `this`): not this fix
        // Anything else that needs an environment (this, an enclosing local function) stays a capture.
        if (Captures.Of(lambda.Symbol, lambda.Body) is not CaptureKind.Variables) return null;
        foreach (var op in lambda.Body.DescendantsAndSelf())
            if (op is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }
                || op is IInvocationOperation { TargetMethod: { MethodKind: MethodKind.LocalFunction, IsStatic: false } } local && !Captures.IsDeclaredWithin(local.TargetMethod, lambda.Symbol))
                return null;
        if (captured is ILocalSymbol { RefKind: not RefKind.None } or IParameterSymbol { RefKind: not RefKind.None and not RefKind.In }) return null;
        if (captured is ILocalSymbol { Type.IsRefLikeType: true } or IParameterSymbol { Type.IsRefLikeType: true }) return null;

        string keyName = lambdaSyntax switch
        {
            SimpleLambdaExpressionSyntax simple => simple.Parameter.Identifier.Text,
            ParenthesizedLambdaExpressionSyntax parenthesized => parenthesized.ParameterList.Parameters[0].Identifier.Text,
            _ => "key",
        };
        if (lambdaSyntax is ParenthesizedLambdaExpressionSyntax { ParameterList.Parameters: [{ Type: not null }] }) return null; // typed parameters: keep it simple
        var header = TextSpan.FromBounds(lambdaSyntax.SpanStart, lambdaSyntax.ArrowToken.SpanStart);
        return new QuickFix(Id, $"Pass `{captured.Name}` as GetOrAdd's state argument instead of capturing it", invocation.Span,
        [
            new TextChange(header, $"static ({keyName}, {captured.Name}) "),
            new TextChange(new TextSpan(factoryArgument.Span.End, 0), $", {captured.Name}"),
        ]);
    }

    private static bool IsWritten(IOperation reference) => reference.Parent switch
    {
        IAssignmentOperation assignment when assignment.Target == reference => true,
        IIncrementOrDecrementOperation => true,
        IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } => true,
        _ => false,
    };
}
