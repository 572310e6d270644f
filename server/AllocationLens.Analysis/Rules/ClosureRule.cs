using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Closures. Variables captured by a lambda (or by a local function converted to a delegate) move into
/// a compiler-generated display class, allocated where the variables' scope is entered: at the top of
/// the method for parameters, at the block for locals, once per iteration for a loop body. That may be
/// far from the lambda, and it happens even when the lambda is never created. The JIT never
/// stack-allocates closure classes (.NET 10 included). Local functions that are only called directly
/// get a struct environment instead, and allocate nothing.
/// </summary>
internal sealed class ClosureRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [];
    public override void Visit(IOperation operation, RuleContext context) { }

    public override void EnterFunction(FunctionScope function, RuleContext ctx)
    {
        if (function.Symbol is not IMethodSymbol owner) return;

        var capturedBy = new Dictionary<ISymbol, List<IOperation>>(SymbolEqualityComparer.Default);
        var delegateTargets = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var nested = new List<IOperation>();
        foreach (var op in function.Root.Descendants())
        {
            if (FunctionScope.IsNestedFunction(op)) nested.Add(op);
            if (op is IMethodReferenceOperation { Method.MethodKind: MethodKind.LocalFunction } reference) delegateTargets.Add(reference.Method);
        }
        if (nested.Count == 0) return;

        foreach (var closure in nested)
        {
            var (symbol, body) = closure switch
            {
                IAnonymousFunctionOperation lambda => ((IMethodSymbol)lambda.Symbol, (IOperation?)lambda.Body),
                ILocalFunctionOperation local => (local.Symbol, local.Body ?? local.IgnoredBody),
                _ => default,
            };
            if (body is null) continue;
            foreach (var op in body.DescendantsAndSelf())
            {
                ISymbol? captured = op switch
                {
                    ILocalReferenceOperation l when SymbolEqualityComparer.Default.Equals(l.Local.ContainingSymbol, owner) => l.Local,
                    IParameterReferenceOperation p when SymbolEqualityComparer.Default.Equals(p.Parameter.ContainingSymbol, owner) => p.Parameter,
                    _ => null,
                };
                if (captured is null) continue;
                if (!capturedBy.TryGetValue(captured, out var list)) capturedBy[captured] = list = new List<IOperation>();
                if (!list.Contains(closure)) list.Add(closure);
            }
        }

        // One display class per scope that has captured variables; a class only if some capturing
        // closure needs a heap environment (a lambda, or a local function converted to a delegate).
        var byScope = new Dictionary<SyntaxNode, List<(ISymbol Symbol, SyntaxNode Declaration)>>();
        foreach (var (symbol, closures) in capturedBy)
        {
            bool needsClass = closures.Any(c => c is IAnonymousFunctionOperation || c is ILocalFunctionOperation lf && delegateTargets.Contains(lf.Symbol));
            if (!needsClass) continue;
            var declaration = symbol.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ctx.Session.CancellationToken);
            if (declaration is null) continue;
            var scope = symbol is IParameterSymbol ? function.Root.Syntax : ScopeOf(declaration);
            if (!byScope.TryGetValue(scope, out var members)) byScope[scope] = members = new();
            members.Add((symbol, declaration));
        }

        foreach (var (scope, members) in byScope)
        {
            members.Sort((a, b) => a.Declaration.SpanStart.CompareTo(b.Declaration.SpanStart));
            var first = members[0].Declaration;
            var where = DeclarationSpan(first);
            var names = string.Join(", ", members.Select(m => $"`{m.Symbol.Name}`"));
            var why = ImmutableArray.CreateBuilder<WhyStep>();
            foreach (var (symbol, _) in members)
            {
                var closure = capturedBy[symbol][0];
                var at = Spans.Of(closure.Syntax);
                string who = closure is ILocalFunctionOperation lf ? $"local function `{lf.Symbol.Name}` (converted to a delegate)" : "the lambda";
                why.Add(new WhyStep(at, $"`{symbol.Name}` is captured by {who} at line {at.Line + 1}"));
            }
            var (depth, loop) = Loops.Of(first);
            string placement = members[0].Symbol is IParameterSymbol
                ? $"allocated when `{function.DisplayName}` starts"
                : loop is not null ? $"allocated on every iteration of the {Loops.Keyword(loop)} loop at line {Spans.Of(loop).Line + 1}, where the scope is entered" : "allocated where the variable's scope is entered";
            why.Add(new WhyStep(where, $"{placement}, even if no delegate is created; the JIT never stack-allocates closure classes"));
            int fields = members.Sum(m => FieldSize(m.Symbol, ctx.Facts));
            int bytes = Math.Max(24, (16 + fields + 7) / 8 * 8);
            string subject = $"closure over {names}";
            var note = new ClosureNote(where, bytes, names);
            function.Closures ??= new Dictionary<ISymbol, ClosureNote>(SymbolEqualityComparer.Default);
            foreach (var (symbol, _) in members) function.Closures[symbol] = note;
            var cold = ColdPaths.Of(ctx, first);
            ctx.Report(where, AllocationKind.Heap, "closure", null, bytes, subject,
                $"{subject}: a display class {placement}", why.ToImmutable(),
                RemedyFit.Fit(ctx, first, null, "closure", null, bytes,
                [
                    "Make the lambda `static` and pass the state through a parameter (many APIs have an overload with a state argument).",
                    "Call a local function directly instead of making a delegate: its environment is a struct on the stack.",
                    "Narrow the scope: declare the captured variable in the block that creates the lambda, so other paths do not pay.",
                ], loopDepth: 0, cold, escapes: null), depth, certain: true, cold);
        }
    }

    private static int FieldSize(ISymbol symbol, FrameworkFacts facts)
    {
        var type = symbol switch { ILocalSymbol l => l.Type, IParameterSymbol p => p.Type, _ => null };
        if (type is null || type.IsReferenceType) return 8;
        return ObjectSizes.ValueSize(type, 0, facts).Size;
    }

    private static SourceSpan DeclarationSpan(SyntaxNode declaration) => declaration switch
    {
        ForEachStatementSyntax fe => Spans.Of(fe.Identifier),
        CatchDeclarationSyntax c => Spans.Of(c.Identifier),
        _ => Spans.Of(declaration),
    };

    /// <summary>The syntax that bounds a local's lifetime: the display class is allocated when it is entered.</summary>
    private static SyntaxNode ScopeOf(SyntaxNode declaration)
    {
        if (declaration is ForEachStatementSyntax fe) return fe.Statement;
        for (var node = declaration.Parent; node is not null; node = node.Parent)
        {
            switch (node)
            {
                case BlockSyntax or SwitchSectionSyntax or CatchClauseSyntax or UsingStatementSyntax or FixedStatementSyntax:
                case ForStatementSyntax or ArrowExpressionClauseSyntax or AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax:
                case CompilationUnitSyntax or MemberDeclarationSyntax:
                    return node;
            }
        }
        return declaration;
    }
}
