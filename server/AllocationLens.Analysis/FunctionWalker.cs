using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using AllocationLens.Analysis.Rules;

namespace AllocationLens.Analysis;

/// <summary>
/// Walks the operations of one member body, with an explicit stack (deeply nested expressions must not
/// overflow the thread's stack), entering lambdas and local functions as functions of their own and
/// dispatching each operation to the rules registered for its kind.
/// </summary>
internal sealed class FunctionWalker
{
    private readonly AnalysisSession _session;
    private readonly SemanticModel _model;
    private readonly List<AllocationSite> _sites;
    private readonly AllocationRules _rules;

    public FunctionWalker(AnalysisSession session, SemanticModel model, List<AllocationSite> sites, AllocationRules rules)
    {
        _session = session;
        _model = model;
        _sites = sites;
        _rules = rules;
    }

    public void Walk(FunctionScope root)
    {
        var stack = new Stack<(IOperation Op, RuleContext Context)>();
        var rootContext = Enter(root);
        stack.Push((root.Root, rootContext));
        while (stack.Count > 0)
        {
            _session.CancellationToken.ThrowIfCancellationRequested();
            var (op, context) = stack.Pop();
            // A call the compiler omits (Debug.Assert in Release) and its arguments do not exist at run time.
            if (op.Kind == OperationKind.Invocation && OperationFacts.IsOmittedConditionalCall(op)) continue;

            foreach (var rule in _rules.For(op.Kind))
                rule.Visit(op, context);
            if (op.Kind == OperationKind.None && op.Syntax is StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax)
                _rules.StackAlloc.Visit(op, context);

            switch (op)
            {
                case IAnonymousFunctionOperation lambda when ExpressionTreeRule.ExpressionTreeType(lambda) is not null:
                    continue; // an expression tree's body is data, never run as written
                case IAnonymousFunctionOperation lambda:
                    var lambdaScope = new FunctionScope(lambda.Body, lambda.Symbol, $"the lambda at line {Spans.Of(lambda.Syntax).Line + 1}", false);
                    stack.Push((lambda.Body, Enter(lambdaScope)));
                    continue;
                case ILocalFunctionOperation local when (local.Body ?? local.IgnoredBody) is { } body:
                    var localScope = new FunctionScope(body, local.Symbol, local.Symbol.Name, false);
                    stack.Push((body, Enter(localScope)));
                    continue;
            }
            foreach (var child in op.ChildOperations.Reverse())
                stack.Push((child, context));
        }
    }

    private RuleContext Enter(FunctionScope function)
    {
        var context = new RuleContext(_session, function, _model, _sites);
        foreach (var rule in _rules.All) rule.EnterFunction(function, context);
        return context;
    }
}
