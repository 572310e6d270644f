using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis;

/// <summary>
/// Instance field and property initializers are compiled into every constructor that does not chain to
/// `this(...)`, before the base constructor call, so they count in the size of the constructor the JIT
/// would inline, even when the constructor's own body is empty or the constructor is implicit (RestSharp
/// `new RestClientOptions()`: an empty body after many property initializers; test/runtime/corpus/Initializers.cs).
/// A lambda in an initializer is a method of its own; its conversion costs the IL of the cached-delegate pattern.
/// Initializers are declarations: editing one drops every cached member (invariant 8), so no body dependency is recorded.
/// </summary>
internal static class ConstructorInitializers
{
    /// <summary>IL of `ldsfld; dup; brtrue; pop; ldsfld; ldftn; newobj; dup; stsfld` for a cached lambda.</summary>
    private const int CachedLambdaIl = 24;
    /// <summary>`ldarg.0` … `stfld` around each initializer's value.</summary>
    private const int StoreIl = 6;

    /// <summary>Estimated IL bytes the type's instance initializers add to a constructor (0 when it chains to `this(...)`).</summary>
    public static int IlOf(AnalysisSession session, IMethodSymbol constructor) => Of(session, constructor) is var (il, _) ? il : 0;

    /// <summary>
    /// Why the type's initializers keep the JIT from inlining the constructor, or null. Measured on .NET 10.0.12
    /// with Dynamic PGO (test/runtime/corpus/Initializers.cs): an initializer that converts a lambda (the
    /// compiler's cached-delegate pattern, a static field of the lambda's closure class) keeps the constructor
    /// out of line, even with three initializers; eight constant initializers are inlined.
    /// </summary>
    public static string? BlocksInlining(AnalysisSession session, IMethodSymbol constructor) =>
        Of(session, constructor) is (_, true) ? "its field or property initializers create a lambda's cached delegate, which keeps the JIT from inlining the constructor (measured)" : null;

    private static (int Il, bool HasLambda) Of(AnalysisSession session, IMethodSymbol constructor)
    {
        if (constructor.MethodKind != MethodKind.Constructor || constructor.IsStatic) return (0, false);
        if (constructor.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(session.CancellationToken) is ConstructorDeclarationSyntax { Initializer.ThisOrBaseKeyword.Text: "this" })
            return (0, false);
        return session.InitializerIl.GetOrAdd(constructor.ContainingType.OriginalDefinition, type => Measure(session, type));
    }

    private static (int Il, bool HasLambda) Measure(AnalysisSession session, INamedTypeSymbol type)
    {
        int il = 0;
        bool lambda = false;
        foreach (var member in type.GetMembers())
        {
            if (member.IsStatic || member is not (IFieldSymbol or IPropertySymbol)) continue;
            foreach (var reference in member.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(session.CancellationToken);
                EqualsValueClauseSyntax? initializer = syntax switch
                {
                    VariableDeclaratorSyntax v => v.Initializer,
                    PropertyDeclarationSyntax p => p.Initializer,
                    _ => null,
                };
                if (initializer is null || !session.Compilation.ContainsSyntaxTree(initializer.SyntaxTree)) continue;
                if (session.ModelFor(initializer.SyntaxTree).GetOperation(initializer, session.CancellationToken) is not { } operation) continue;
                il += StoreIl + IlOfValue(operation, ref lambda);
            }
        }
        return (il, lambda);
    }

    private static int IlOfValue(IOperation root, ref bool lambda)
    {
        int il = 0;
        var stack = new Stack<IOperation>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var op = stack.Pop();
            if (op is IAnonymousFunctionOperation) { il += CachedLambdaIl; lambda = true; continue; }
            if (!op.IsImplicit) il += 3;
            foreach (var child in op.ChildOperations) stack.Push(child);
        }
        return il;
    }
}
