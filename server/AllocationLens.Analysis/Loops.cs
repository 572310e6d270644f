using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Analysis;

/// <summary>
/// Where a site sits relative to the loops of its own function. The JIT refuses to stack-allocate in
/// any block that may be part of a loop, so the loop body, a while/for condition and a for incrementor
/// all count, while a for-initializer and a foreach collection are evaluated once.
/// </summary>
internal static class Loops
{
    public static (int Depth, SyntaxNode? Innermost) Of(SyntaxNode node)
    {
        int depth = 0;
        SyntaxNode? innermost = null;
        SyntaxNode child = node;
        for (var parent = node.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            if (parent is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax) break;
            bool inLoop = parent switch
            {
                ForStatementSyntax f => child == f.Statement || child == f.Condition || f.Incrementors.Contains(child),
                WhileStatementSyntax w => true,
                DoStatementSyntax => true,
                ForEachStatementSyntax fe => child == fe.Statement,
                ForEachVariableStatementSyntax fev => child == fev.Statement,
                _ => false,
            };
            if (!inLoop) continue;
            depth++;
            innermost ??= parent;
        }
        return (depth, innermost);
    }

    public static string Keyword(SyntaxNode loop) => loop switch
    {
        ForStatementSyntax => "for",
        WhileStatementSyntax => "while",
        DoStatementSyntax => "do",
        _ => "foreach",
    };
}
