using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis.Fixes;

/// <summary>Small syntax helpers the fixes share: spelling types, parenthesizing, adding a static field.</summary>
internal static class FixSyntax
{
    /// <summary>A type as C# spells it at <paramref name="position"/> (using the file's usings and aliases).</summary>
    public static string TypeName(ITypeSymbol type, FixContext context, int position) =>
        type.ToMinimalDisplayString(context.Model, position);

    /// <summary>The expression's text, in parentheses unless it is primary (a name, member access, call, literal...).</summary>
    public static string Operand(ExpressionSyntax expression) =>
        expression is IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax
            or LiteralExpressionSyntax or ParenthesizedExpressionSyntax or ThisExpressionSyntax or GenericNameSyntax
            ? expression.ToString() : $"({expression})";

    /// <summary>True when an expression written in place of <paramref name="node"/> needs no parentheses whatever its operators.</summary>
    public static bool InLooseContext(SyntaxNode node) =>
        node.Parent is ArgumentSyntax or EqualsValueClauseSyntax or ReturnStatementSyntax or ParenthesizedExpressionSyntax
            or ExpressionStatementSyntax or ArrowExpressionClauseSyntax or IfStatementSyntax or WhileStatementSyntax
        || node.Parent is AssignmentExpressionSyntax assignment && assignment.Right == node;

    /// <summary>The method, accessor, lambda or local function whose body contains the node.</summary>
    public static SyntaxNode? EnclosingFunction(SyntaxNode node) => node.Ancestors().FirstOrDefault(a =>
        a is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax);

    /// <summary>
    /// A name for a new static member of the type around <paramref name="position"/> that clashes with
    /// nothing in scope there: <paramref name="stem"/>, then stem2, stem3...
    /// </summary>
    public static string FreshName(string stem, FixContext context, int position)
    {
        for (int i = 1; ; i++)
        {
            var name = i == 1 ? stem : stem + i;
            if (context.Model.LookupSymbols(position, name: name).IsEmpty) return name;
        }
    }

    /// <summary>
    /// The type declaration a `static readonly` field can be added to (class, struct or record; not an
    /// interface, not the implicit class of top-level statements).
    /// </summary>
    public static TypeDeclarationSyntax? FieldHost(SyntaxNode node) =>
        node.Ancestors().OfType<GlobalStatementSyntax>().Any() ? null
        : node.Ancestors().OfType<TypeDeclarationSyntax>().FirstOrDefault() is { } type and not InterfaceDeclarationSyntax && type.OpenBraceToken.Span.Length > 0 ? type : null;

    /// <summary>A change that adds <paramref name="declaration"/> as the first member of <paramref name="type"/>, indented like its members.</summary>
    public static TextChange InsertMember(TypeDeclarationSyntax type, string declaration)
    {
        var text = type.SyntaxTree.GetText();
        var brace = type.OpenBraceToken;
        var braceLine = text.Lines.GetLineFromPosition(brace.Span.End);
        bool braceEndsLine = string.IsNullOrWhiteSpace(text.ToString(TextSpan.FromBounds(brace.Span.End, braceLine.End)));
        if (!braceEndsLine) return new TextChange(new TextSpan(brace.Span.End, 0), " " + declaration);
        string indent = type.Members.FirstOrDefault() is { } first ? IndentOf(text, first.SpanStart) : IndentOf(text, brace.SpanStart) + "    ";
        return new TextChange(new TextSpan(braceLine.EndIncludingLineBreak, 0), indent + declaration + Eol(text, braceLine));
    }

    private static string IndentOf(SourceText text, int position)
    {
        var line = text.Lines.GetLineFromPosition(position);
        var before = text.ToString(TextSpan.FromBounds(line.Start, position));
        return before[..(before.Length - before.TrimStart().Length)];
    }

    private static string Eol(SourceText text, TextLine line) =>
        line.EndIncludingLineBreak > line.End ? text.ToString(TextSpan.FromBounds(line.End, line.EndIncludingLineBreak)) : "\n";

    /// <summary>True when a `[SkipLocalsInit]` applies to the node (stackalloc memory would not be zeroed).</summary>
    public static bool SkipsLocalsInit(SyntaxNode node, FixContext context)
    {
        static bool Has(ISymbol? symbol) => symbol is not null && symbol.GetAttributes().Any(a => a.AttributeClass?.Name == "SkipLocalsInitAttribute");
        for (var symbol = context.Model.GetEnclosingSymbol(node.SpanStart, context.CancellationToken); symbol is not null; symbol = symbol.ContainingSymbol)
            if (Has(symbol)) return true;
        return Has(context.Compilation.Assembly) || Has(context.Compilation.SourceModule);
    }
}
