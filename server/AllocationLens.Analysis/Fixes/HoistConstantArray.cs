using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis.Fixes;

/// <summary>
/// `line.Split(new[] { ',', ';' })` → `line.Split(s_separators)` with
/// `private static readonly char[] s_separators = { ',', ';' };`: the array of constants is built once
/// instead of on every call. Sharing one array is only correct when the callee neither writes nor keeps
/// it, so this is offered only for an explicit array of constants passed to string methods known to
/// only read it (Split, Trim, TrimStart, TrimEnd, IndexOfAny, LastIndexOfAny), inside a class, struct or
/// record (not top-level statements, not interfaces).
/// </summary>
internal sealed class HoistConstantArray : AllocationFix
{
    private static readonly Dictionary<string, string> ReadOnlyConsumers = new(StringComparer.Ordinal)
    {
        ["Split"] = "s_separators",
        ["Trim"] = "s_trimChars",
        ["TrimStart"] = "s_trimChars",
        ["TrimEnd"] = "s_trimChars",
        ["IndexOfAny"] = "s_anyOf",
        ["LastIndexOfAny"] = "s_anyOf",
    };

    public override string Id => "hoist-constant-array";

    public override bool Targets(SyntaxNode node) =>
        node is ArrayCreationExpressionSyntax { Initializer.Expressions.Count: > 0 } or ImplicitArrayCreationExpressionSyntax { Initializer.Expressions.Count: > 0 }
        && node.Parent is ArgumentSyntax { RefKindKeyword.RawKind: 0 };

    public override QuickFix? Offer(SyntaxNode node, FixContext context)
    {
        var model = context.Model;
        var argument = (ArgumentSyntax)node.Parent!;
        if (argument.Parent?.Parent is not InvocationExpressionSyntax invocation) return null;
        if (model.GetOperation(invocation, context.CancellationToken) is not IInvocationOperation call
            || call.TargetMethod.ContainingType?.SpecialType != SpecialType.System_String
            || !ReadOnlyConsumers.TryGetValue(call.TargetMethod.Name, out var stem)) return null;
        var initializer = node is ArrayCreationExpressionSyntax explicitArray ? explicitArray.Initializer! : ((ImplicitArrayCreationExpressionSyntax)node).Initializer;
        if (node is ArrayCreationExpressionSyntax { Type.RankSpecifiers: [var rank] } && rank.Sizes.Count != 1) return null;
        if (!initializer.Expressions.All(e => model.GetConstantValue(e, context.CancellationToken).HasValue)) return null;
        if (model.GetTypeInfo(node, context.CancellationToken).Type is not IArrayTypeSymbol { Rank: 1 } arrayType) return null;
        if (FixSyntax.FieldHost(node) is not { } host) return null;

        var name = FixSyntax.FreshName(stem, context, node.SpanStart);
        var elements = string.Join(", ", initializer.Expressions.Select(e => e.ToString()));
        var field = $"private static readonly {FixSyntax.TypeName(arrayType, context, host.SpanStart)} {name} = {{ {elements} }};";
        return new QuickFix(Id, $"Hoist the array to a static readonly field `{name}`", node.Span,
        [
            FixSyntax.InsertMember(host, field),
            new TextChange(node.Span, name),
        ]);
    }
}
