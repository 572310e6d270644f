using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis.Fixes;

/// <summary>
/// `var list = new List&lt;T&gt;(); foreach (var x in items) list.Add(...)` → `new List&lt;T&gt;(items.Count)`:
/// a capacity for a List, HashSet or Dictionary that grows in a loop over something whose size is known in
/// the method, so it stops reallocating its storage as it fills. Offered when:
/// - the collection is a local created with no arguments and no initializer;
/// - a later statement of the same block is a `foreach` over, or a `for (i = 0; i &lt; X.Count/Length; i++)`
///   bounded by, a parameter or earlier local `X` with an int `Count` or `Length`, which is never assigned in
///   the method and not mentioned between the declaration and the loop, which nothing can leave early
///   (so reading its size earlier changes nothing);
/// - the loop adds to the collection, outside any nested loop or lambda.
/// The count is an upper bound when adds are conditional or duplicates are dropped; a capacity never changes
/// behaviour. Not offered for an IEnumerable without a size, or for StringBuilder (its capacity is in chars,
/// which the element count does not give).
/// </summary>
internal sealed class PresizeCollection : AllocationFix
{
    private static readonly HashSet<string> Sizable = new(StringComparer.Ordinal) { "List", "HashSet", "Dictionary" };
    private static readonly HashSet<string> Adders = new(StringComparer.Ordinal) { "Add", "TryAdd" };

    public override string Id => "presize-collection";

    public override bool Targets(SyntaxNode node) => node is BaseObjectCreationExpressionSyntax { ArgumentList.Arguments.Count: 0, Initializer: null }
        || node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax } access } && Adders.Contains(access.Name.Identifier.ValueText);

    public override QuickFix? Offer(SyntaxNode node, FixContext context)
    {
        var model = context.Model;
        BaseObjectCreationExpressionSyntax? creation = node as BaseObjectCreationExpressionSyntax;
        if (node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver } })
        {
            if (model.GetSymbolInfo(receiver, context.CancellationToken).Symbol is not ILocalSymbol local) return null;
            creation = (local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) as VariableDeclaratorSyntax)?.Initializer?.Value as BaseObjectCreationExpressionSyntax;
            if (creation is not { ArgumentList.Arguments.Count: 0, Initializer: null }) return null;
        }
        if (creation is null || creation.ArgumentList is null) return null;
        if (creation.Parent is not EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            || declarator.Parent?.Parent is not LocalDeclarationStatementSyntax { Parent: BlockSyntax block } declaration) return null;
        if (model.GetTypeInfo(creation, context.CancellationToken).Type is not INamedTypeSymbol { } type
            || !Sizable.Contains(type.Name) || type.ContainingNamespace?.ToDisplayString() != "System.Collections.Generic") return null;
        if (!type.InstanceConstructors.Any(c => c.Parameters is [{ Type.SpecialType: SpecialType.System_Int32, Name: "capacity" }])) return null;
        if (model.GetDeclaredSymbol(declarator, context.CancellationToken) is not ILocalSymbol collection) return null;

        int at = block.Statements.IndexOf(declaration);
        for (int i = at + 1; i < block.Statements.Count; i++)
        {
            var statement = block.Statements[i];
            if (SizedSource(statement, model, context.CancellationToken) is { } sized
                && AddsOutsideNestedLoops(statement, collection, model, context.CancellationToken)
                && IsStable(sized.Source, declaration, block, i, model, context.CancellationToken))
            {
                var size = $"{sized.Source.Name}.{sized.Property}";
                if (node is InvocationExpressionSyntax && !statement.Span.Contains(node.Span)) return null;
                return new QuickFix(Id, $"Give `{collection.Name}` a capacity of `{size}`", node.Span,
                    [new TextChange(new TextSpan(creation.ArgumentList.OpenParenToken.Span.End, 0), size)]);
            }
        }
        return null;
    }

    /// <summary>The sized variable a loop statement runs over: `foreach (.. in X)` or `for (..; i &lt; X.Count; ..)`.</summary>
    private static (ISymbol Source, string Property)? SizedSource(StatementSyntax statement, SemanticModel model, CancellationToken ct)
    {
        ExpressionSyntax? sourceSyntax = statement switch
        {
            ForEachStatementSyntax each => each.Expression,
            ForStatementSyntax { Condition: BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LessThanExpression, Right: MemberAccessExpressionSyntax bound } } loop
                when bound.Name.Identifier.ValueText is "Count" or "Length" && IsPlainCounter(loop) => bound.Expression,
            _ => null,
        };
        if (sourceSyntax is not IdentifierNameSyntax identifier) return null;
        var symbol = model.GetSymbolInfo(identifier, ct).Symbol;
        var type = symbol switch { ILocalSymbol l => l.Type, IParameterSymbol p when p.RefKind is RefKind.None or RefKind.In => p.Type, _ => null };
        if (type is null || symbol is ILocalSymbol { RefKind: not RefKind.None }) return null;
        foreach (var name in new[] { "Count", "Length" })
            if (FindProperty(type, name) is { Type.SpecialType: SpecialType.System_Int32 }) return (symbol!, name);
        return null;
    }

    /// <summary>`for (int i = 0; i &lt; ..; i++)` whose body never assigns i.</summary>
    private static bool IsPlainCounter(ForStatementSyntax loop)
    {
        if (loop.Declaration is not { Variables: [{ Initializer.Value: LiteralExpressionSyntax { Token.ValueText: "0" } } counter] }) return false;
        if (loop.Condition is not BinaryExpressionSyntax { Left: IdentifierNameSyntax left } || left.Identifier.ValueText != counter.Identifier.ValueText) return false;
        if (loop.Incrementors is not [PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression } or PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression }]) return false;
        return !loop.Statement.DescendantNodesAndSelf().Any(n => n switch
        {
            AssignmentExpressionSyntax { Left: IdentifierNameSyntax target } => target.Identifier.ValueText == counter.Identifier.ValueText,
            PostfixUnaryExpressionSyntax { Operand: IdentifierNameSyntax operand } => operand.Identifier.ValueText == counter.Identifier.ValueText,
            PrefixUnaryExpressionSyntax { Operand: IdentifierNameSyntax operand, RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } => operand.Identifier.ValueText == counter.Identifier.ValueText,
            _ => false,
        });
    }

    private static IPropertySymbol? FindProperty(ITypeSymbol type, string name)
    {
        if (type is IArrayTypeSymbol) return name == "Length" ? type.BaseType?.GetMembers("Length").OfType<IPropertySymbol>().FirstOrDefault() : null;
        for (var t = type; t is not null; t = t.BaseType)
            if (t.GetMembers(name).OfType<IPropertySymbol>().FirstOrDefault(p => !p.IsStatic && p.Parameters.IsEmpty) is { } found) return found;
        if (type.TypeKind == TypeKind.Interface)
            foreach (var i in type.AllInterfaces)
                if (i.GetMembers(name).OfType<IPropertySymbol>().FirstOrDefault() is { } found) return found;
        return null;
    }

    /// <summary>The loop adds to the collection, and not from a nested loop or function (where one pass adds many).</summary>
    private static bool AddsOutsideNestedLoops(StatementSyntax loop, ILocalSymbol collection, SemanticModel model, CancellationToken ct)
    {
        var body = loop switch { ForEachStatementSyntax f => f.Statement, ForStatementSyntax f => f.Statement, _ => null };
        if (body is null) return false;
        foreach (var call in body.DescendantNodesAndSelf().OfType<InvocationExpressionSyntax>())
        {
            if (call.Expression is not MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax receiver } access || !Adders.Contains(access.Name.Identifier.ValueText)) continue;
            if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(receiver, ct).Symbol, collection)) continue;
            bool nested = call.Ancestors().TakeWhile(a => a != body).Any(a => a is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
                or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax);
            if (!nested) return true;
        }
        return false;
    }

    /// <summary>
    /// Reading the source's size at the declaration gives the size at the loop: it is declared before the
    /// collection, never assigned anywhere in the function, and not mentioned by the statements in between.
    /// </summary>
    private static bool IsStable(ISymbol source, LocalDeclarationStatementSyntax declaration, BlockSyntax block, int loopIndex, SemanticModel model, CancellationToken ct)
    {
        if (source is ILocalSymbol local)
        {
            var declared = local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct);
            if (declared is null || declared.SpanStart >= declaration.SpanStart) return false;
        }
        // A null source would throw in the loop anyway, unless a statement in between can leave first.
        for (int i = block.Statements.IndexOf(declaration) + 1; i < loopIndex; i++)
            if (block.Statements[i].DescendantNodesAndSelf().Any(n => n is ReturnStatementSyntax or ThrowStatementSyntax or ThrowExpressionSyntax
                or GotoStatementSyntax or YieldStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax)) return false;
        var function = FixSyntax.EnclosingFunction(declaration) ?? block;
        foreach (var identifier in function.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (identifier.Identifier.ValueText != source.Name) continue;
            if (!SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(identifier, ct).Symbol, source)) continue;
            if (model.GetOperation(identifier, ct) is { } reference && reference.Parent switch
                {
                    IAssignmentOperation a => a.Target == reference,
                    IIncrementOrDecrementOperation => true,
                    IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } => true,
                    _ => false,
                }) return false;
            int index = block.Statements.IndexOf(s => s.Span.Contains(identifier.Span));
            if (index > block.Statements.IndexOf(declaration) && index < loopIndex) return false;
        }
        return true;
    }
}
