using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis;

/// <summary>Small questions about operations that several rules ask.</summary>
internal static class OperationFacts
{
    /// <summary>
    /// Whether the operation itself compiles to a branch in the IL of the function it is in: `if`/`?:`,
    /// `??`, `??=`, `?.`, `&amp;&amp;`/`||`, a switch, or a delegate C# caches behind a null check of its
    /// cache field (a lambda that captures nothing; a static method group from C# 11). <paramref name="condition"/>
    /// is what the branch tests, null for a delegate cache (it tests a compiler-made static).
    /// </summary>
    public static bool Branches(IOperation op, bool cachesStaticMethodGroups, out IOperation? condition)
    {
        condition = op switch
        {
            IConditionalOperation c => c.Condition,
            ICoalesceOperation c => c.Value,
            ICoalesceAssignmentOperation c => c.Target,
            IConditionalAccessOperation c => c.Operation,
            ISwitchOperation c => c.Value,
            ISwitchExpressionOperation c => c.Value,
            IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } b => b,
            _ => null,
        };
        if (condition is not null) return true;
        return op switch
        {
            IDelegateCreationOperation { Target: IAnonymousFunctionOperation lambda } =>
                lambda.Symbol.IsStatic || Rules.Captures.Of(lambda.Symbol, lambda.Body) == Rules.CaptureKind.None,
            IDelegateCreationOperation { Target: IMethodReferenceOperation { Method.IsStatic: true, Instance: null } } creation =>
                cachesStaticMethodGroups && creation.Syntax is not Microsoft.CodeAnalysis.CSharp.Syntax.BaseObjectCreationExpressionSyntax,
            _ => false,
        };
    }

    /// <summary>A piece of code as a message quotes it: one line, at most 40 characters.</summary>
    public static string Excerpt(SyntaxNode syntax)
    {
        var text = string.Join(" ", syntax.ToString().Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
        return text.Length <= 40 ? text : text[..37] + "...";
    }

    public static bool IsBoxing(IOperation? op) => op is IConversionOperation conversion && conversion.GetConversion().IsBoxing;

    /// <summary>
    /// A call to a <c>[Conditional("X")]</c> method whose symbols are all undefined in the call's own
    /// syntax tree (Release builds do not define DEBUG): the compiler drops the call together with the
    /// evaluation of its arguments, so nothing in it allocates or uses a value at run time.
    /// </summary>
    public static bool IsOmittedConditionalCall(IOperation op)
    {
        if (op is not IInvocationOperation { TargetMethod: { ReturnsVoid: true } method } call) return false;
        // Conditional-ness is declared on the original method; overrides inherit it.
        for (var m = method.OriginalDefinition; m is not null; m = m.OverriddenMethod?.OriginalDefinition)
        {
            bool conditional = false;
            foreach (var attribute in m.GetAttributes())
            {
                if (attribute.AttributeClass is not { Name: "ConditionalAttribute", ContainingNamespace: { Name: "Diagnostics", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } }) continue;
                if (attribute.ConstructorArguments is not [{ Value: string symbol }]) continue;
                conditional = true;
                if (IsDefined(call.Syntax.SyntaxTree, symbol)) return false;
            }
            if (conditional) return true;
            if (!m.IsOverride) return false;
        }
        return false;
    }

    private static bool IsDefined(SyntaxTree tree, string symbol)
    {
        bool defined = tree.Options.PreprocessorSymbolNames.Contains(symbol, StringComparer.Ordinal);
        // `#define`/`#undef` may only precede the file's first token, so they sit in its leading trivia
        // and hold for the whole file: looking there is enough (and costs nothing in the usual file).
        var root = tree.GetRoot();
        if (!root.ContainsDirectives) return defined;
        foreach (var trivia in root.GetFirstToken(includeZeroWidth: true).LeadingTrivia)
        {
            switch (trivia.GetStructure())
            {
                case Microsoft.CodeAnalysis.CSharp.Syntax.DefineDirectiveTriviaSyntax { IsActive: true } define when define.Name.ValueText == symbol:
                    defined = true;
                    break;
                case Microsoft.CodeAnalysis.CSharp.Syntax.UndefDirectiveTriviaSyntax { IsActive: true } undef when undef.Name.ValueText == symbol:
                    defined = false;
                    break;
            }
        }
        return defined;
    }

    /// <summary>True when <paramref name="op"/> sits in a lambda or local function nested inside <paramref name="root"/>.</summary>
    public static bool IsInNestedFunction(IOperation op, IOperation? root = null)
    {
        for (var p = op.Parent; p is not null && p != root; p = p.Parent)
            if (FunctionScope.IsNestedFunction(p)) return true;
        return false;
    }
}
