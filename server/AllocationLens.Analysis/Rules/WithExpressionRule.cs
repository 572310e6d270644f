using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// <c>r with { ... }</c>: on a record class it clones through the virtual <c>&lt;Clone&gt;$</c>, a new
/// object (which .NET 10 can stack-allocate after guarded devirtualization when the clone stays local);
/// on a struct it is a copy. The site starts at the <c>with</c> keyword.
/// </summary>
internal sealed class WithExpressionRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.With];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        var with = (IWithOperation)operation;
        if (with.Type is not { } type || operation.Syntax is not WithExpressionSyntax syntax) return;
        var where = Spans.Of(syntax.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(syntax.WithKeyword.SpanStart, syntax.Span.End));
        var subject = "with " + Spans.Subject(syntax.Initializer, 36);
        if (type.IsValueType)
        {
            Candidates.Fixed(ctx, syntax, AllocationKind.Stack, "struct", type, ObjectSizes.ValueSize(type, 0, ctx.Facts).Size,
                "`with` on a struct copies the value; nothing is allocated", [], where: where, subject: subject);
            return;
        }
        Candidates.Report(ctx, operation, syntax, CandidateKind.Object, "object", type, ObjectSizes.OfClass(type, ctx.Facts),
            [.. Candidates.ObjectRemedies, "Mutate a local copy, or use a record struct if the record is small."], where: where, subject: subject);
    }
}
