using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Analysis;

/// <summary>
/// Classifies sites that are cold by construction: they run only on an error path (a throw and what is
/// built for it, a catch block, a throw helper's arguments, a debug-only check) or once per process (static
/// and module initializers). The classification looks only at the site's own function and the declared
/// attributes of the methods it calls, so it is as cacheable as the rest of a member's analysis. A lambda
/// or local function is a function of its own: its body runs when it is invoked, so nothing outside it
/// makes it cold, and the body of a lambda made in a static initializer runs as often as it is called.
/// </summary>
internal static class ColdPaths
{
    public static ColdPath? Of(RuleContext ctx, SyntaxNode site)
    {
        var onError = OnErrorPath(ctx.Model, site);
        if (onError is { Reason: not ColdReason.ThrowPath }) return onError;
        var function = ctx.Function;
        // Only the member's own body: a lambda's scope has no static-initializer or attribute of its own.
        if (function.RunsOnce)
        {
            // A generic type's statics exist once per constructed type: once per type argument, not per call.
            string once = InGenericType(function.Symbol) ? "once per process for each type argument" : "once per process";
            return function.Symbol is IMethodSymbol { MethodKind: MethodKind.StaticConstructor }
                ? new ColdPath(ColdReason.StaticConstructor, $"in the static constructor, which runs {once}")
                : new ColdPath(ColdReason.StaticInitializer, $"in a static initializer, which runs {once}");
        }
        if (function.Symbol is IMethodSymbol method && method.MethodKind is not (MethodKind.AnonymousFunction or MethodKind.LocalFunction))
        {
            if (HasAttribute(method, "ModuleInitializerAttribute"))
                return new ColdPath(ColdReason.ModuleInitializer, "in a module initializer, which runs once, when the module loads");
            if (DoesNotReturn(method))
                return new ColdPath(ColdReason.DoesNotReturn, $"in `{method.Name}`, which never returns ([DoesNotReturn]): it runs only to throw");
        }
        return onError;
    }

    // The reasons whose sentence names nothing are shared: most cold sites are one of these.
    private static readonly ColdPath Thrown = new(ColdReason.Throw, "built only to be thrown: it allocates only when the throw runs");
    private static readonly ColdPath Caught = new(ColdReason.Catch, "in a catch block: it runs only when an exception is caught");
    private static readonly ColdPath OnPathToThrow = new(ColdReason.ThrowPath, "on a path that always ends in a throw: it runs only when that throw does");

    /// <summary>
    /// The innermost error-path construct around <paramref name="site"/> within its own function. A path
    /// to a throw is the weakest reason: a catch block or a throw helper's argument around it says more.
    /// </summary>
    private static ColdPath? OnErrorPath(SemanticModel model, SyntaxNode site)
    {
        ColdPath? pathToThrow = null;
        for (var node = site; node is not null; node = node.Parent)
        {
            if (node != site && node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax) return pathToThrow;
            switch (node)
            {
                case MemberDeclarationSyntax or CompilationUnitSyntax or AccessorDeclarationSyntax:
                    return pathToThrow;
                case ThrowStatementSyntax or ThrowExpressionSyntax:
                    return Thrown;
                case CatchClauseSyntax:
                    return Caught;
                case ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } }:
                    if (CallPath(model, call) is { } argumentOf) return argumentOf;
                    break;
                case InvocationExpressionSyntax call when node == site:
                    // The call itself is the site of what it allocates for its arguments (a params array).
                    if (CallPath(model, call) is { } ofCall) return ofCall;
                    break;
                case StatementSyntax statement when pathToThrow is null:
                    if (EndsInThrow(model, statement)) pathToThrow = OnPathToThrow;
                    break;
            }
        }
        return pathToThrow;
    }

    private static ColdPath? CallPath(SemanticModel model, InvocationExpressionSyntax call)
    {
        if (model.GetSymbolInfo(call).Symbol is not IMethodSymbol method) return null;
        if (DoesNotReturn(method))
            return new ColdPath(ColdReason.DoesNotReturn, $"an argument of `{method.Name}`, which never returns ([DoesNotReturn]): it is evaluated only when it throws");
        // Calls the build omits never reach a rule (the walker skips them), so a conditional call here is kept.
        if (ConditionalSymbols(method) is { } symbols)
            return new ColdPath(ColdReason.DebugOnly, $"an argument of `{method.ContainingType.Name}.{method.Name}`, which exists only in builds that define {symbols}");
        return null;
    }

    /// <summary>
    /// Whether <paramref name="statement"/> always reaches a throw that ends its block: the block's last
    /// statement throws (or calls a [DoesNotReturn] method), nothing from here on leaves the block another
    /// way (return, goto, yield, or a break or continue of a loop outside it), and no catch of this
    /// function is around the block to turn the throw into ordinary control flow.
    /// </summary>
    private static bool EndsInThrow(SemanticModel model, StatementSyntax statement)
    {
        SyntaxList<StatementSyntax> statements;
        SyntaxNode block;
        switch (statement.Parent)
        {
            case BlockSyntax b: statements = b.Statements; block = b; break;
            case SwitchSectionSyntax s: statements = s.Statements; block = s; break;
            default: return false;
        }
        var last = statements[^1];
        bool throws = last switch
        {
            ThrowStatementSyntax => true,
            ExpressionStatementSyntax { Expression: InvocationExpressionSyntax call } => model.GetSymbolInfo(call).Symbol is IMethodSymbol m && DoesNotReturn(m),
            _ => false,
        };
        if (!throws) return false;
        for (int i = statements.IndexOf(statement); i < statements.Count - 1; i++)
            if (LeavesBlock(statements[i], block)) return false;
        for (var outer = block.Parent; outer is not null; outer = outer.Parent)
        {
            if (outer is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax or AccessorDeclarationSyntax) break;
            if (outer is TryStatementSyntax { Catches.Count: > 0 } tryStatement && tryStatement.Block.Span.Contains(block.Span)) return false;
        }
        return true;
    }

    private static bool LeavesBlock(StatementSyntax statement, SyntaxNode block)
    {
        foreach (var node in statement.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            switch (node)
            {
                case ReturnStatementSyntax or GotoStatementSyntax or YieldStatementSyntax or LabeledStatementSyntax:
                    return true;
                case BreakStatementSyntax or ContinueStatementSyntax when !HandledInside(node, block):
                    return true;
            }
        }
        return false;
    }

    /// <summary>A break or continue whose loop (or, for break, switch) is itself inside the block.</summary>
    private static bool HandledInside(SyntaxNode jump, SyntaxNode block)
    {
        for (var p = jump.Parent; p is not null && p != block; p = p.Parent)
        {
            if (p is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax) return true;
            if (p is SwitchStatementSyntax && jump is BreakStatementSyntax) return true;
        }
        return false;
    }

    private static bool InGenericType(ISymbol? symbol)
    {
        for (var type = symbol?.ContainingType; type is not null; type = type.ContainingType)
            if (type.IsGenericType) return true;
        return false;
    }

    /// <summary>[DoesNotReturn] by name, so libraries that declare their own copy (for older frameworks) count too.</summary>
    public static bool DoesNotReturn(IMethodSymbol method) => HasAttribute(method.OriginalDefinition, "DoesNotReturnAttribute");

    private static bool HasAttribute(ISymbol symbol, string name)
    {
        foreach (var attribute in symbol.GetAttributes())
            if (attribute.AttributeClass?.Name == name) return true;
        return false;
    }

    /// <summary>"DEBUG" (or "DEBUG or TRACE") for a [Conditional] method or an override of one; null otherwise.</summary>
    /// <remarks>Asked for every call a site is an argument of, so the common answer (none) allocates nothing.</remarks>
    private static string? ConditionalSymbols(IMethodSymbol method)
    {
        for (var m = method.OriginalDefinition; m is not null; m = m.OverriddenMethod?.OriginalDefinition)
        {
            string? symbols = null;
            foreach (var attribute in m.GetAttributes())
            {
                if (attribute.AttributeClass is not { Name: "ConditionalAttribute", ContainingNamespace.Name: "Diagnostics" }) continue;
                if (attribute.ConstructorArguments is not [{ Value: string symbol }]) continue;
                symbols = symbols is null ? symbol : $"{symbols} or {symbol}";
            }
            if (symbols is not null) return symbols;
            if (!m.IsOverride) return null;
        }
        return null;
    }
}
