using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis;

/// <summary>
/// Finds the member-level syntax nodes that own code (method and accessor bodies, expression bodies,
/// field and property initializers, top-level statements), optionally only those intersecting a range.
/// Iterative over namespaces and types, and it never descends into bodies: cost is O(members).
/// </summary>
internal static class MemberBodies
{
    public static IEnumerable<SyntaxNode> In(SyntaxNode root, TextSpan? range)
    {
        bool Wanted(SyntaxNode n) => range is not { } r || n.FullSpan.IntersectsWith(r) || n.FullSpan.Start == r.Start;

        if (root is CompilationUnitSyntax unit && unit.Members.OfType<GlobalStatementSyntax>().Any(Wanted))
            yield return unit;

        var pending = new Stack<SyntaxNode>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            var members = node switch
            {
                CompilationUnitSyntax cu => cu.Members,
                BaseNamespaceDeclarationSyntax ns => ns.Members,
                TypeDeclarationSyntax type => type.Members,
                _ => default,
            };
            for (int i = members.Count - 1; i >= 0; i--)
            {
                var member = members[i];
                if (!Wanted(member)) continue;
                switch (member)
                {
                    case BaseNamespaceDeclarationSyntax or TypeDeclarationSyntax:
                        pending.Push(member);
                        break;
                    case BaseMethodDeclarationSyntax method when method.Body is not null || method.ExpressionBody is not null:
                        yield return method;
                        break;
                    case BasePropertyDeclarationSyntax property:
                        foreach (var owner in PropertyBodies(property))
                            if (Wanted(owner)) yield return owner;
                        break;
                    case BaseFieldDeclarationSyntax field:
                        foreach (var variable in field.Declaration.Variables)
                            if (variable.Initializer is { } init && Wanted(init)) yield return init;
                        break;
                }
            }
        }
    }

    private static IEnumerable<SyntaxNode> PropertyBodies(BasePropertyDeclarationSyntax property)
    {
        if (property is PropertyDeclarationSyntax { ExpressionBody: { } arrow }) yield return arrow;
        else if (property is IndexerDeclarationSyntax { ExpressionBody: { } indexerArrow }) yield return indexerArrow;
        if (property.AccessorList is { } accessors)
            foreach (var accessor in accessors.Accessors)
                if (accessor.Body is not null || accessor.ExpressionBody is not null) yield return accessor;
        if (property is PropertyDeclarationSyntax { Initializer: { } init }) yield return init;
    }
}
