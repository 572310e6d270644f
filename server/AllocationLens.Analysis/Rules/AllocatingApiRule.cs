using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Framework calls that return a new object (<see cref="AllocatingApis"/>), and ToString() calls,
/// which return a new string except on strings. The cost is shown at the call.
/// </summary>
internal sealed class AllocatingApiRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.Invocation, OperationKind.PropertyReference];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        if (operation is IPropertyReferenceOperation property)
        {
            if (AllocatingApis.DescribeProperty(property.Property, ctx.Facts) is { } snapshot)
            {
                var at = property.Syntax is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax access
                    ? Spans.Of(access.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(access.Name.SpanStart, access.Span.End))
                    : Spans.Of(property.Syntax);
                Candidates.Fixed(ctx, property.Syntax, AllocationKind.Heap, "call", property.Type, null, $"`{property.Property.Name}` returns {snapshot}",
                    ["Enumerate the dictionary itself (its enumerator takes no snapshot), or read the property once outside the hot path."], where: at);
            }
            return;
        }
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
        // Small framework factories the JIT inlines: the new object they return is allocated in the caller, so it
        // is judged like `new` at the call: .NET 8 has no object stack allocation (measured: one object per call),
        // and from .NET 9 it stays off the heap when it does not escape (measured: 0 bytes).
        if (InlinedFactories.TryGetValue(KnownFrameworkMembers.Key(method), out var factory) && method.ReturnType is { IsReferenceType: true } returned)
        {
            var (made, inlinedSince) = factory;
            if (ctx.Runtime.StackAllocatesObjects && ctx.Runtime.JudgedMajor < inlinedSince)
            {
                Candidates.Fixed(ctx, site, AllocationKind.Heap, "call", returned, ObjectSizes.OfClass(returned, ctx.Facts),
                    $"`{Inlining.Signature(method)}` {made}; the {ctx.Runtime.Name} JIT does not inline it (measured; .NET {inlinedSince} does), so the object escapes into the call",
                    ["Construct the object yourself where it is used, or use a value tuple or a struct on hot paths."], where: where,
                    subject: $"{Spans.Subject(site, 32)} ({made})");
                return;
            }
            Candidates.Report(ctx, call, site, CandidateKind.Object, "call", returned, ObjectSizes.OfClass(returned, ctx.Facts),
                ["Keep the result local (read it in this method) so .NET 9+ can stack-allocate it, or use a value tuple or a struct on hot paths."],
                constructor: CallVerdict.Local(null), where: where, subject: $"{Spans.Subject(site, 32)} ({made})");
            return;
        }
        if (SpanReadingAggregates.Contains(method.Name) && method.ContainingType?.ToDisplayString() == "System.Linq.Enumerable"
            && method.Parameters.Length == 2 && call.Arguments.Length == 2
            && EnumeratedThroughInterface(call.Arguments[0].Value, ctx.Facts) is { } source
            && !(source.ReadAsSpanFrom9 && ctx.Runtime.LinqReadsArraysAndListsAsSpans)
            && !(!source.ReadAsSpanFrom9 && ctx.Runtime.StackAllocatesGuardedEnumerators && EnumeratorMayStayLocalFrom10.Contains(method.Name)))
        {
            string reason = source.ReadAsSpanFrom9
                ? $"`{Inlining.Signature(method)}` enumerates the {source.Name} through IEnumerable<T>, which allocates its enumerator on {ctx.Runtime.Name} (from .NET 9 it reads the {source.Name} as a span)"
                : $"`{Inlining.Signature(method)}` enumerates the {source.Name} through IEnumerable<T>, which boxes its struct enumerator";
            Candidates.Fixed(ctx, site, AllocationKind.Heap, "enumerator", method.ReturnType, source.Bytes, reason,
                source.ReadAsSpanFrom9
                    ? ["Loop over the collection with for or foreach instead, or target .NET 9 or newer."]
                    : ["Loop over the collection with foreach (its struct enumerator stays off the heap)."], where: where);
            return;
        }
        if (IsInterfaceGetEnumerator(call) && !ctx.Runtime.StackAllocatesGuardedEnumerators)
        {
            Candidates.Fixed(ctx, site, AllocationKind.Heap, "enumerator", method.ReturnType, null,
                $"GetEnumerator through `{method.ContainingType?.Name}` returns a boxed or class enumerator on the heap on {ctx.Runtime.Name}",
                ["Enumerate the concrete type (List<T>, T[]) so its struct enumerator is used, or index with a for loop."],
                certain: false, where: where);
            return;
        }
        if (AllocatingApis.Describe(method, ctx.Facts) is { } what)
        {
            Candidates.Fixed(ctx, site, AllocationKind.Heap, method.ContainingType?.ContainingNamespace?.ToDisplayString() == "System.Linq" ? "linq" : "call",
                method.ReturnType, null, $"`{Inlining.Signature(method)}` returns {what}",
                method.ContainingType?.Name == "Enumerable"
                    ? ["Replace the LINQ chain with a loop on hot paths.", "Pass a static lambda to avoid a delegate per call."]
                    : ["Use a span-based overload (AsSpan, TryFormat, Split into a Span<Range>) where one exists."], where: where);
        }
    }

    /// <summary>
    /// Framework methods whose body is one `new` the JIT inlines into the caller (keys as
    /// <see cref="KnownFrameworkMembers.Key"/>). Each is measured in test/runtime/corpus: one object per call on
    /// .NET 8 and when the result escapes, 0 bytes when it stays local on a runtime whose JIT inlines it.
    /// The number is the first runtime whose JIT inlines it (measured: .NET 9 does not inline Array.AsReadOnly, 24 bytes).
    /// </summary>
    private static readonly Dictionary<string, (string Made, int InlinedSince)> InlinedFactories = new(StringComparer.Ordinal)
    {
        ["System.Tuple.Create"] = ("returns a new Tuple", 9),
        ["System.Collections.Generic.List`1.AsReadOnly"] = ("returns a new ReadOnlyCollection over the list", 9),
        ["System.Array.AsReadOnly"] = ("returns a new ReadOnlyCollection over the array", 10),
    };

    /// <summary>LINQ aggregates with a predicate that .NET 9 runs over a span of an array or List&lt;T&gt; (measured).</summary>
    private static readonly HashSet<string> SpanReadingAggregates = new(StringComparer.Ordinal) { "Count", "Any", "All", "First", "FirstOrDefault" };

    /// <summary>
    /// Measured on .NET 10 and 11: over a HashSet&lt;int&gt;, Any(predicate) allocates nothing (the JIT inlines it
    /// and keeps the enumerator off the heap) while Count(predicate) boxes it (40 bytes). Whether that holds
    /// depends on the JIT knowing the collection's exact type, so no site is claimed there, neither heap nor stack.
    /// </summary>
    private static readonly HashSet<string> EnumeratorMayStayLocalFrom10 = new(StringComparer.Ordinal) { "Any" };

    /// <summary>
    /// A source whose enumeration through IEnumerable&lt;T&gt; allocates, and the size of that enumerator: an array
    /// (SZGenericArrayEnumerator: array, index, end index; 32 bytes measured) or a List&lt;T&gt; (its boxed struct
    /// enumerator: list, index, version, current; 40 bytes for int measured), which .NET 9 reads as a span instead;
    /// or another System.Collections.Generic class whose GetEnumerator returns a struct, boxed on every runtime
    /// (HashSet&lt;int&gt;: 40 bytes measured on .NET 8 to 11; each enumerator's box is sized from the runtime facts). Null for
    /// any other source (interfaces, LINQ results, user types): what GetEnumerator allocates there is not known here.
    /// Empty arrays share one cached enumerator; the verdict is for the non-empty case.
    /// </summary>
    private static (string Name, int? Bytes, bool ReadAsSpanFrom9)? EnumeratedThroughInterface(IOperation source, FrameworkFacts facts)
    {
        while (source is IConversionOperation { IsImplicit: true } c) source = c.Operand;
        if (source.Type is IArrayTypeSymbol { IsSZArray: true }) return ("array", 32, true);
        if (source.Type is not INamedTypeSymbol { TypeKind: TypeKind.Class } type
            || type.ContainingNamespace?.ToDisplayString() != "System.Collections.Generic") return null;
        var getEnumerator = type.GetMembers("GetEnumerator").OfType<IMethodSymbol>().FirstOrDefault(m => m.Parameters.IsEmpty && !m.IsStatic);
        // The box of the struct enumerator, sized from the runtime's measured layout (RuntimeFacts).
        if (type is { Name: "List", Arity: 1 })
            return ("list", getEnumerator?.ReturnType is { IsValueType: true } listEnumerator ? ObjectSizes.OfBox(listEnumerator, facts) : null, true);
        if (getEnumerator?.ReturnType is not { IsValueType: true } enumerator) return null;
        int? bytes = ObjectSizes.OfBox(enumerator, facts);
        return ($"`{type.Name}`", bytes, false);
    }

    /// <summary>
    /// An explicit <c>GetEnumerator()</c> through IEnumerable&lt;T&gt; or IEnumerable, like a foreach over the interface
    /// (<see cref="ForEachEnumeratorRule"/>). Measured (test/runtime/corpus/RealCode.cs, a call that always sees a
    /// List&lt;int&gt;): 40 bytes per call on .NET 8 and 9; 0 on .NET 10 and 11, whose JIT guesses the collection's type and
    /// keeps the enumerator off the heap when the guess holds, which is not visible here, so no site is claimed there.
    /// A fresh iterator or LINQ object returns itself: its own call is the site.
    /// </summary>
    private static bool IsInterfaceGetEnumerator(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        if (method is not { Name: "GetEnumerator", IsStatic: false, Parameters.IsEmpty: true } || method.ContainingType?.TypeKind != TypeKind.Interface) return false;
        if (method.ContainingType.OriginalDefinition.ToDisplayString() is not ("System.Collections.Generic.IEnumerable<T>" or "System.Collections.IEnumerable")) return false;
        var receiver = call.Instance;
        while (receiver is IConversionOperation { IsImplicit: true } c) receiver = c.Operand;
        if (receiver is null || receiver.Type is not { TypeKind: TypeKind.Interface }) return false;
        return !(receiver is IInvocationOperation producer
            && (AllocatingApis.Describe(producer.TargetMethod) is not null
                || ForEachEnumeratorRule.IsSourceIterator(producer.TargetMethod)));
    }

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
