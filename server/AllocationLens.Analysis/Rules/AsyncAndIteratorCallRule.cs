using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Calls to iterator and async methods of the same compilation allocate inside the callee; the cost is
/// shown at the call. An iterator allocates its state machine object (judged like an object: the JIT
/// inlines the small stub, so an iterator that is never enumerated can stay on the stack). An async
/// method allocates its state machine box and Task only when an await suspends; one that completes
/// synchronously returns a cached Task, a ValueTask, or a cached Task&lt;T&gt; for true/false, null and -1..8.
/// </summary>
internal sealed class AsyncAndIteratorCallRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.Invocation];

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        var call = (IInvocationOperation)operation;
        var method = call.TargetMethod;
        if (method.DeclaringSyntaxReferences.IsEmpty) return;
        var body = Inlining.BodyOf(ctx.Session, method);
        if (body is null) return;
        var where = AllocatingApiRule.CallSpan(call);
        if (method.IsAsync) { Async(ctx, call, method, body, where); return; }
        if (!IsIterator(body.Root)) return;

        int locals = body.Root.Descendants().OfType<IVariableDeclaratorOperation>().Count();
        int bytes = Math.Max(24, 16 + 16 + 8 * (method.Parameters.Length + locals) + 8);
        Candidates.Report(ctx, call, call.Syntax, CandidateKind.Object, "iterator", method.ReturnType, bytes,
            ["Return a concrete collection, or take a callback or Span<T>, on hot paths.", "Enumerate it where it is created so the JIT can keep it local."],
            where: where, subject: Spans.Subject(call.Syntax));
    }

    private static bool IsIterator(IOperation body) =>
        body.Descendants().Any(o => o is IReturnOperation { Kind: OperationKind.YieldReturn or OperationKind.YieldBreak }
                                    && !OperationFacts.IsInNestedFunction(o, body));

    private static void Async(RuleContext ctx, IInvocationOperation call, IMethodSymbol method, FunctionScope body, SourceSpan where)
    {
        var ownAwaits = body.Root.Descendants().OfType<IAwaitOperation>().Where(a => !OperationFacts.IsInNestedFunction(a, body.Root)).ToList();
        var suspending = ownAwaits.FirstOrDefault(a => !CompletesImmediately(a.Operation));
        var returnType = method.ReturnType as INamedTypeSymbol;
        string returnName = returnType?.Name ?? "";
        if (suspending is not null)
        {
            var at = Spans.Of(suspending.Syntax);
            Candidates.Fixed(ctx, call.Syntax, AllocationKind.Heap, "async", method.ReturnType, null,
                $"`{method.Name}` allocates its state machine box and {returnName} when the await at line {at.Line + 1} suspends",
                ["Return ValueTask/ValueTask<T> when the method usually completes synchronously.", "Cache completed tasks for common results."],
                certain: !IsKnownToSuspend(suspending.Operation) ? false : true, where: where, subject: Spans.Subject(call.Syntax));
            return;
        }
        if (returnName is "ValueTask" || returnType is { Arity: 0, Name: "Task" } || returnType is null || method.ReturnsVoid)
        {
            Candidates.Fixed(ctx, call.Syntax, AllocationKind.Stack, "async", method.ReturnType, null,
                returnName == "ValueTask" ? "completes synchronously and returns its result inline in the ValueTask" : "completes synchronously and returns the cached completed Task", [],
                where: where, subject: Spans.Subject(call.Syntax));
            return;
        }
        var returns = body.Root.Descendants().OfType<IReturnOperation>().Where(r => r.ReturnedValue is not null && !OperationFacts.IsInNestedFunction(r, body.Root)).ToList();
        bool cached = returns.Count > 0 && returns.All(r => IsCachedResult(r.ReturnedValue!));
        if (cached)
        {
            Candidates.Fixed(ctx, call.Syntax, AllocationKind.Stack, "async", method.ReturnType, null,
                "completes synchronously with a result the runtime keeps cached Task<T>s for (true/false, null, -1..8)", [],
                where: where, subject: Spans.Subject(call.Syntax));
            return;
        }
        Candidates.Fixed(ctx, call.Syntax, AllocationKind.Heap, "async", method.ReturnType, 88,
            $"completes synchronously but allocates a new {method.ReturnType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)} for its result",
            ["Return ValueTask<T> so synchronous results need no allocation."], where: where, subject: Spans.Subject(call.Syntax));
    }

    private static bool CompletesImmediately(IOperation awaited)
    {
        while (awaited is IConversionOperation c) awaited = c.Operand;
        return awaited switch
        {
            IPropertyReferenceOperation { Property.Name: "CompletedTask" } => true,
            IDefaultValueOperation => true,
            IInvocationOperation { TargetMethod.Name: "FromResult" } => true,
            _ => false,
        };
    }

    private static bool IsKnownToSuspend(IOperation awaited)
    {
        while (awaited is IConversionOperation c) awaited = c.Operand;
        return awaited is IInvocationOperation { TargetMethod.Name: "Yield" or "Delay" };
    }

    private static bool IsCachedResult(IOperation value)
    {
        while (value is IConversionOperation { IsImplicit: true } c) value = c.Operand;
        var constant = value.ConstantValue;
        if (!constant.HasValue) return value is IDefaultValueOperation;
        return constant.Value switch
        {
            null => true,
            bool => true,
            int i => i >= -1 && i <= 8,
            _ => false,
        };
    }
}
