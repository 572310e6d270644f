using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using AllocationLens.Analysis.Rules;

namespace AllocationLens.Analysis;

/// <summary>
/// One callee's own part of a call summary: the heap and boxed sites of its body, as the engine judges
/// them (the same rules and escape analysis as the callee's own hints), and the source calls its body
/// makes, resolved. Sites inside its lambdas and local functions are left out: they run when those are
/// invoked (a local function's are counted through the calls to it). An iterator's body runs when the
/// result is enumerated, so it counts nothing at the call (the caller's hint already shows the iterator
/// object). Cached per callee per compilation and target; <see cref="Dependencies"/> are the bodies it read.
/// </summary>
internal sealed record CalleeAllocations(
    string Name,
    ImmutableArray<SummarySite> Sites,
    ImmutableArray<CalleeAllocations.Call> Calls,
    ImmutableArray<string> Notes,
    bool Certain,
    SourceDependencies Dependencies)
{
    /// <summary>A source call in the callee's body; <see cref="Target"/> null when it could not be resolved.</summary>
    public sealed record Call(IMethodSymbol Method, IMethodSymbol? Target, string? Remark, bool Certain, SourceSpan Where, bool InLoop);

    public static CalleeAllocations? Of(AnalysisSession session, IMethodSymbol method, CallSummaries.Cache cache)
    {
        var outer = session.Dependencies;
        var own = new SourceDependencies();
        session.Dependencies = own;
        try
        {
            // Every read of a source body goes through Inlining.BodyOf, which records it (invariant 7).
            var body = Inlining.BodyOf(session, method);
            if (body is null) return null;
            var name = Inlining.Signature(method);
            var root = body.Root;
            if (IsIterator(root))
                return new CalleeAllocations(name, [], [], ["an iterator's body runs when its result is enumerated, not at the call"], true, own);

            var model = session.ModelFor(root.Syntax.SyntaxTree);
            var found = new List<AllocationSite>();
            new FunctionWalker(session, model, found, AllocationRules.Default).Walk(body);
            var nested = NestedBodies(root);
            var notes = new List<string>();
            if (method.IsAsync) notes.Add($"`{method.Name}` is async: its body is counted whole, though what follows a suspending await runs later");
            var sites = ImmutableArray.CreateBuilder<SummarySite>();
            var owner = method.MethodKind == MethodKind.Constructor ? method.ContainingType.Name : method.AssociatedSymbol?.Name ?? method.Name;
            bool lambdaSites = false;
            int coldSites = 0;
            foreach (var group in found.GroupBy(s => s.Where.Span))
            {
                // Several rules on one expression: one verdict, the most severe (as AllocationAnalyzer.Normalize does).
                var site = group.OrderBy(s => s.Kind == AllocationKind.Stack ? 1 : 0).First();
                if (site.Kind == AllocationKind.Stack) continue;
                if (nested.Any(n => n.Contains(site.Where.Span))) { lambdaSites = true; continue; }
                // A throw or catch in the callee does not run on each call: a summary counts the normal path.
                if (site.Cold is not null) { coldSites++; continue; }
                sites.Add(new SummarySite(site.Where, site.Kind, site.Category, site.Subject, site.Bytes, site.LoopDepth > 0, owner, 1, site.Certain, site.Message));
            }
            if (coldSites > 0) notes.Add($"{coldSites} cold site(s) in `{owner}` (a throw, a catch block) are not counted: they run only on an error path");
            if (lambdaSites) notes.Add($"sites inside `{owner}`'s lambdas are not counted: they run when the lambda is invoked");

            var calls = ImmutableArray.CreateBuilder<Call>();
            foreach (var op in root.DescendantsAndSelf())
            {
                session.CancellationToken.ThrowIfCancellationRequested();
                if (CallSummaries.CallOf(op) is not { } call) continue;
                if (OperationFacts.IsInNestedFunction(op, root) || OperationFacts.IsOmittedConditionalCall(op)) continue;
                if (!CallSummaries.IsSource(session.Compilation, call.Method)) continue;
                var resolved = CalleeResolution.Resolve(session.Compilation, call.Method, call.Receiver, cache.Implementations);
                calls.Add(new Call(call.Method, resolved.Target, resolved.Remark, resolved.Certain, Spans.Of(op.Syntax), Loops.Of(op.Syntax).Depth > 0));
            }
            return new CalleeAllocations(name, sites.ToImmutable(), calls.ToImmutable(), notes.ToImmutableArray(), true, own);
        }
        finally
        {
            session.Dependencies = outer;
            outer?.AddAll(own);
        }
    }

    private static bool IsIterator(IOperation body) =>
        body.Descendants().Any(o => o is IReturnOperation { Kind: OperationKind.YieldReturn or OperationKind.YieldBreak } && !OperationFacts.IsInNestedFunction(o, body));

    /// <summary>The spans of the bodies of nested lambdas and local functions (their sites run when those are invoked).</summary>
    private static List<Microsoft.CodeAnalysis.Text.TextSpan> NestedBodies(IOperation root)
    {
        var spans = new List<Microsoft.CodeAnalysis.Text.TextSpan>();
        foreach (var op in root.Descendants())
        {
            if (op is IAnonymousFunctionOperation lambda) spans.Add(lambda.Body.Syntax.Span);
            else if (op is ILocalFunctionOperation { Body: { } b }) spans.Add(b.Syntax.Span);
            else if (op is ILocalFunctionOperation { IgnoredBody: { } ib }) spans.Add(ib.Syntax.Span);
        }
        return spans;
    }
}
