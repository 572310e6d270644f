using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>
/// The member a site belongs to, as users name it: "Geometry.Area(double)". Lambdas and local functions
/// belong to the method that contains them, accessors to their property, field initializers to their
/// field, and every top-level statement to one "&lt;top-level statements&gt;" member.
/// </summary>
/// <param name="Key">Where the member starts: two overloads with one name are two members.</param>
/// <param name="Anchor">The member's name (its identifier): where its CodeLens sits and the view reveals.</param>
public sealed record SiteOwner(int Key, string Name, TextSpan Anchor, LinePositionSpan AnchorLines);

public static class SiteOwners
{
    /// <summary>The sites grouped by member, members in source order, sites in source order inside each.</summary>
    public static IReadOnlyList<(SiteOwner Owner, IReadOnlyList<AllocationSite> Sites)> Group(SyntaxTree tree, IEnumerable<AllocationSite> sites, CancellationToken cancellationToken)
    {
        var root = tree.GetRoot(cancellationToken);
        var text = tree.GetText(cancellationToken);
        var groups = new Dictionary<int, (SiteOwner Owner, List<AllocationSite> Sites)>();
        foreach (var site in sites)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var owner = Of(root, text, site.Where.Span);
            if (!groups.TryGetValue(owner.Key, out var group)) groups[owner.Key] = group = (owner, []);
            group.Sites.Add(site);
        }
        return groups.Values.OrderBy(g => g.Owner.Key)
            .Select(g => (g.Owner, (IReadOnlyList<AllocationSite>)g.Sites.OrderBy(s => s.Where.Span.Start).ToList())).ToList();
    }

    public static SiteOwner Of(SyntaxNode root, SourceText text, TextSpan span)
    {
        var position = Math.Clamp(span.Start, 0, Math.Max(0, root.FullSpan.End - 1));
        for (var node = root.FindToken(position).Parent; node is not null; node = node.Parent)
        {
            switch (node)
            {
                case GlobalStatementSyntax:
                    return Owner(text, 0, "<top-level statements>", new TextSpan(node.SpanStart, 0));
                case BaseMethodDeclarationSyntax or BasePropertyDeclarationSyntax or BaseFieldDeclarationSyntax:
                    var member = (MemberDeclarationSyntax)node;
                    var (name, anchor) = NameOf(member);
                    return Owner(text, member.SpanStart, Qualified(member, name), anchor);
            }
        }
        // Outside any member (an attribute argument, a base-type list): the file itself.
        return Owner(text, -1, "<declarations>", new TextSpan(span.Start, 0));
    }

    private static SiteOwner Owner(SourceText text, int key, string name, TextSpan anchor) => new(key, name, anchor, text.Lines.GetLinePositionSpan(anchor));

    private static (string Name, TextSpan Anchor) NameOf(MemberDeclarationSyntax member) => member switch
    {
        MethodDeclarationSyntax m => ($"{m.Identifier.Text}{m.TypeParameterList}{Parameters(m.ParameterList)}", m.Identifier.Span),
        ConstructorDeclarationSyntax c => ((c.Modifiers.Any(t => t.Text == "static") ? "static " : "") + c.Identifier.Text + Parameters(c.ParameterList), c.Identifier.Span),
        DestructorDeclarationSyntax d => ("~" + d.Identifier.Text + "()", d.Identifier.Span),
        OperatorDeclarationSyntax o => ("operator " + o.OperatorToken.Text + Parameters(o.ParameterList), o.OperatorToken.Span),
        ConversionOperatorDeclarationSyntax co => (co.ImplicitOrExplicitKeyword.Text + " operator " + co.Type + Parameters(co.ParameterList), co.Type.Span),
        PropertyDeclarationSyntax p => (p.Identifier.Text, p.Identifier.Span),
        IndexerDeclarationSyntax i => ("this" + Parameters(i.ParameterList), i.ThisKeyword.Span),
        EventDeclarationSyntax e => (e.Identifier.Text, e.Identifier.Span),
        BaseFieldDeclarationSyntax f when f.Declaration.Variables.Count > 0 =>
            (string.Join(", ", f.Declaration.Variables.Select(v => v.Identifier.Text)), f.Declaration.Variables[0].Identifier.Span),
        _ => ("<member>", new TextSpan(member.SpanStart, 0)),
    };

    private static string Parameters(BaseParameterListSyntax list)
    {
        var types = list.Parameters.Select(p => p.Type?.ToString() ?? "");
        return list is BracketedParameterListSyntax ? $"[{string.Join(", ", types)}]" : $"({string.Join(", ", types)})";
    }

    /// <summary>The member name prefixed with its containing types ("Outer.Inner.M(int)").</summary>
    private static string Qualified(SyntaxNode member, string name)
    {
        var types = new List<string>();
        for (var node = member.Parent; node is not null; node = node.Parent)
            if (node is BaseTypeDeclarationSyntax type) types.Add(type.Identifier.Text);
        types.Reverse();
        return types.Count == 0 ? name : string.Join(".", types) + "." + name;
    }
}
