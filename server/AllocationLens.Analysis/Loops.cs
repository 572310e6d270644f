using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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
        SyntaxNode? body = null;
        for (var parent = node.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            if (parent is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax) { body = parent; break; }
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
        // A backward `goto` makes a loop too: the JIT marks every block lexically between the label
        // and the jump (BBF_BACKWARD_JUMP), whatever the control flow inside.
        if (body is not null && GotoLoopAround(node, body) is { } gotoLoop)
        {
            depth++;
            innermost ??= gotoLoop;
        }
        return (depth, innermost);
    }

    private static SyntaxNode? GotoLoopAround(SyntaxNode node, SyntaxNode body)
    {
        foreach (var (label, jumpEnd) in BackwardJumps.GetValue(body, FindBackwardJumps))
            if (label.SpanStart <= node.SpanStart && node.Span.End <= jumpEnd) return label;
        return null;
    }

    /// <summary>Per function body, the (label, end of the backward goto) ranges; computed once, since every site asks.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SyntaxNode, List<(LabeledStatementSyntax Label, int JumpEnd)>> BackwardJumps = new();

    private static List<(LabeledStatementSyntax, int)> FindBackwardJumps(SyntaxNode body)
    {
        var ranges = new List<(LabeledStatementSyntax, int)>();
        var labels = new Dictionary<string, LabeledStatementSyntax>(StringComparer.Ordinal);
        var gotos = new List<GotoStatementSyntax>();
        foreach (var n in body.DescendantNodes(n => n == body || n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            if (n is LabeledStatementSyntax l) labels.TryAdd(l.Identifier.ValueText, l);
            else if (n is GotoStatementSyntax g && g.IsKind(SyntaxKind.GotoStatement)) gotos.Add(g);
        }
        foreach (var jump in gotos)
            if (jump.Expression is IdentifierNameSyntax target && labels.TryGetValue(target.Identifier.ValueText, out var label) && label.SpanStart < jump.SpanStart)
                ranges.Add((label, jump.Span.End));
        return ranges;
    }

    public static string Keyword(SyntaxNode loop) => loop switch
    {
        LabeledStatementSyntax => "goto",
        ForStatementSyntax => "for",
        WhileStatementSyntax => "while",
        DoStatementSyntax => "do",
        _ => "foreach",
    };
}
