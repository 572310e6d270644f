using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Framework calls that return a new object (<see cref="AllocatingApis"/>), and ToString() calls,
/// which return a new string except on strings. The cost is shown at the call.
/// </summary>
internal sealed class AllocatingApiRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.Invocation];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        var call = (IInvocationOperation)operation;
        var method = call.TargetMethod;
        if (StructVirtualCallRule.IsBoxingReceiver(call, out _)) return; // boxed: StructVirtualCallRule says it
        var site = call.Syntax;
        var where = CallSpan(call);

        if (method.Name == "ToString" && !method.IsStatic)
        {
            var receiver = call.Instance?.Type;
            if (receiver?.SpecialType == SpecialType.System_String) return;
            if (method.ContainingType.SpecialType == SpecialType.System_String) return;
            Candidates.Fixed(ctx, site, AllocationKind.Heap, "string", ctx.Session.Compilation.GetSpecialType(SpecialType.System_String), null,
                receiver is { IsValueType: true } && KnownFrameworkMembers.IsPrimitiveOrEnum(receiver)
                    ? "ToString() returns a new string (the runtime caches a few small numbers)"
                    : "ToString() returns a new string",
                ["Format into a Span<char> with TryFormat, or cache the string if the value repeats."], where: where);
            return;
        }
        // Small framework factories the JIT inlines: from .NET 9 their new object is stack-allocated when it
        // does not escape (the corpus measures 0 bytes); .NET 8 has no object stack allocation, so they allocate.
        if (!ctx.Runtime.StackAllocatesObjects && InlinedFactories.TryGetValue(KnownFrameworkMembers.Key(method), out var made))
        {
            Candidates.Fixed(ctx, site, AllocationKind.Heap, "call", method.ReturnType, null,
                $"`{Inlining.Signature(method)}` returns {made}; {ctx.Runtime.Name} does not stack-allocate objects",
                ["Use a value tuple or a struct instead of a new object on hot paths."], where: where);
            return;
        }
        if (AllocatingApis.Describe(method) is { } what)
        {
            Candidates.Fixed(ctx, site, AllocationKind.Heap, method.ContainingType.ContainingNamespace?.ToDisplayString() == "System.Linq" ? "linq" : "call",
                method.ReturnType, null, $"`{Inlining.Signature(method)}` returns {what}",
                method.ContainingType.Name == "Enumerable"
                    ? ["Replace the LINQ chain with a loop on hot paths.", "Pass a static lambda to avoid a delegate per call."]
                    : ["Use a span-based overload (AsSpan, TryFormat, Split into a Span<Range>) where one exists."], where: where);
        }
    }

    /// <summary>Framework factories measured as 0 bytes from .NET 9 on and one new object on .NET 8.</summary>
    private static readonly Dictionary<string, string> InlinedFactories = new(StringComparer.Ordinal)
    {
        ["System.Tuple.Create"] = "a new Tuple",
    };

    /// <summary>
    /// Where users read the cost of a call: from the method name when the receiver is a value
    /// (<c>list.Where(...)</c>, so that chained calls have distinct sites), the whole call when it is a type.
    /// </summary>
    internal static SourceSpan CallSpan(IInvocationOperation call)
    {
        if (call.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax member } invocation
            && (call.Instance is not null || call.TargetMethod.IsExtensionMethod))
            return Spans.Of(invocation.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(member.Name.SpanStart, invocation.Span.End));
        return Spans.Of(call.Syntax);
    }
}
