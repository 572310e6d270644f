using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis.Rules;

/// <summary>
/// Delegates from lambdas and method groups. Non-capturing lambdas (and, from C# 11, static method
/// groups) are created once and cached in a static field. Every other conversion allocates a 64-byte
/// delegate, which .NET 10 can stack-allocate when it is only invoked locally. A capturing lambda's
/// closure is a separate allocation (ClosureRule).
/// </summary>
internal sealed class DelegateRule : AllocationRule
{
    public override IReadOnlyList<OperationKind> Kinds { get; } = [OperationKind.DelegateCreation];

    /// <summary>
    /// "the delegate stays on the stack, but its closure over `k` (line 13) is a 24-byte heap object": a
    /// capturing lambda's delegate may stay off the heap while the display class it points to never does.
    /// </summary>
    private static WhyStep? ClosureNote(RuleContext ctx, IAnonymousFunctionOperation lambda)
    {
        if (ctx.Function.Closures is not { } closures) return null;
        var notes = new List<ClosureNote>();
        foreach (var op in lambda.Body.DescendantsAndSelf())
        {
            ISymbol? captured = op switch
            {
                ILocalReferenceOperation l => l.Local,
                IParameterReferenceOperation p => p.Parameter,
                _ => null,
            };
            if (captured is not null && closures.TryGetValue(captured, out var note) && !notes.Contains(note)) notes.Add(note);
        }
        if (notes.Count == 0) return null;
        var first = notes[0];
        string text = notes.Count == 1
            ? $"the delegate stays on the stack, but its closure over {first.Names} (line {first.Declaration.Line + 1}) is a {first.Bytes}-byte heap object"
            : $"the delegate stays on the stack, but its closures are heap objects: " + string.Join("; ", notes.Select(n => $"over {n.Names} (line {n.Declaration.Line + 1}), {n.Bytes} bytes"));
        return new WhyStep(first.Declaration, text);
    }

    public override void Visit(IOperation operation, RuleContext ctx)
    {
        var creation = (IDelegateCreationOperation)operation;
        var type = creation.Type;
        switch (creation.Target)
        {
            case IAnonymousFunctionOperation lambda:
                var capture = Captures.Of(lambda.Symbol, lambda.Body);
                if ((lambda.Symbol.IsStatic || capture == CaptureKind.None) && InStaticConstructor(ctx, lambda.Syntax))
                {
                    Candidates.Fixed(ctx, lambda.Syntax, AllocationKind.Heap, "delegate", type, ObjectSizes.DelegateBytes, StaticConstructorReason,
                        ["Nothing to do if the type is initialised once: the delegate is created once per type initialisation."]);
                    return;
                }
                if (lambda.Symbol.IsStatic || capture == CaptureKind.None)
                {
                    Candidates.Fixed(ctx, lambda.Syntax, AllocationKind.Stack, "delegate", type, ObjectSizes.DelegateBytes,
                        "a non-capturing lambda: the compiler creates the delegate once and caches it in a static field", []);
                    return;
                }
                Candidates.Report(ctx, creation, lambda.Syntax, CandidateKind.Delegate, "delegate", type, ObjectSizes.DelegateBytes,
                    [capture == CaptureKind.This
                        ? "The lambda captures `this`: make it `static` and pass the instance as an argument, or cache the delegate in a field."
                        : "Make the lambda `static` and pass state through a parameter (many APIs have an overload taking a state argument).",
                     "Cache the delegate in a field if its captures do not change."],
                    subject: Spans.Subject(lambda.Syntax), onStackNote: ClosureNote(ctx, lambda));
                return;

            case IMethodReferenceOperation reference:
                var method = reference.Method;
                // A local function that captures nothing is emitted as a static method, so its conversion is cached too.
                var site = creation.IsImplicit ? reference.Syntax : creation.Syntax;
                // A local function that captures nothing is emitted as a static method, but C# caches the
                // delegate only for one declared `static` (measured on .NET 8-11: test/runtime/corpus/
                // MethodGroupsAndArrays.cs; found on NodaTime): without the modifier every conversion
                // creates a delegate to a static method, which always lives on the heap.
                if (method.MethodKind == MethodKind.LocalFunction && !method.IsStatic &&
                    Inlining.BodyOf(ctx.Session, method) is { } localBody && Captures.Of(method, localBody.Root) == CaptureKind.None)
                {
                    Candidates.Fixed(ctx, site, AllocationKind.Heap, "delegate", type, ObjectSizes.DelegateBytes,
                        "a local function that is not declared `static` gets no delegate cache, even though it captures nothing: every conversion creates a delegate to a static method, which always lives on the heap",
                        [ctx.Session.CachesStaticMethodGroups
                            ? $"Declare `{method.Name}` `static` (it captures nothing): C# caches the delegate of a static local function."
                            : "Cache the delegate in a static readonly field, or use C# 11 or later and declare the local function `static`."]);
                    return;
                }
                bool isStatic = method.MethodKind == MethodKind.LocalFunction
                    ? method.IsStatic
                    : method.IsStatic && reference.Instance is null && !method.IsExtensionMethod;
                // C# caches only conversions: `new Func<int>(M)` is a delegate creation expression, which the
                // language defines to create a new instance, in every version. Measured on .NET 10: a
                // delegate to a static method is never stack-allocated, even when only invoked locally
                // (it needs the runtime's shuffle thunk, so the JIT does not expand its construction).
                if (isStatic && creation.Syntax is BaseObjectCreationExpressionSyntax)
                {
                    Candidates.Fixed(ctx, site, AllocationKind.Heap, "delegate", type, ObjectSizes.DelegateBytes,
                        "an explicit `new` delegate creation is never cached, and a delegate to a static method always lives on the heap",
                        ["Write the conversion without `new` (`Func<int> f = M;`), which C# 11 and later cache.", "Cache the delegate in a static readonly field."]);
                    return;
                }
                if (isStatic && ctx.Session.CachesStaticMethodGroups && InStaticConstructor(ctx, reference.Syntax))
                {
                    Candidates.Fixed(ctx, site, AllocationKind.Heap, "delegate", type, ObjectSizes.DelegateBytes, StaticConstructorReason,
                        ["Nothing to do if the type is initialised once: the delegate is created once per type initialisation."]);
                    return;
                }
                if (isStatic && ctx.Session.CachesStaticMethodGroups)
                {
                    Candidates.Fixed(ctx, site, AllocationKind.Stack, "delegate", type, ObjectSizes.DelegateBytes,
                        "a static method group: C# 11 and later cache the delegate in a static field", []);
                    return;
                }
                if (isStatic)
                {
                    Candidates.Fixed(ctx, site, AllocationKind.Heap, "delegate", type, ObjectSizes.DelegateBytes,
                        $"a static method group allocates a new delegate on every conversion before C# 11 (this project uses C# {LanguageVersionFacts.ToDisplayString(ctx.Session.LanguageVersion)}), and a delegate to a static method always lives on the heap",
                        ["Use C# 11 or later, or write a non-capturing lambda, which is cached.", "Cache the delegate in a static readonly field."]);
                    return;
                }
                Candidates.Report(ctx, creation, site, CandidateKind.Delegate, "delegate", type, ObjectSizes.DelegateBytes,
                    ["Cache the delegate in a field instead of converting the method group on every call.", "Pass a static method or a static lambda with explicit state."]);
                return;
        }
    }

    private const string StaticConstructorReason =
        "in a static constructor or static initializer the compiler does not cache delegates (the code runs once), so this conversion allocates a delegate";

    /// <summary>
    /// True when the code compiles into the type's static constructor: a `static` constructor's body, or the
    /// initializer of a static field or property (lambdas and local functions nested in them included). The
    /// compiler caches non-capturing lambdas and static method groups in every other method, but not there:
    /// measured by the JIT on CsvHelper's `ObjectResolver..cctor` (a `newobj` of the delegate, heap).
    /// </summary>
    private static bool InStaticConstructor(RuleContext ctx, SyntaxNode syntax)
    {
        for (var symbol = ctx.Model.GetEnclosingSymbol(syntax.SpanStart); symbol is not null; symbol = symbol.ContainingSymbol)
        {
            switch (symbol)
            {
                case IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction }:
                    continue;
                case IMethodSymbol method:
                    return method.MethodKind == MethodKind.StaticConstructor;
                case IFieldSymbol or IPropertySymbol:
                    // Reached only from an initializer (an accessor body encloses as its accessor method).
                    return symbol.IsStatic;
                default:
                    return false;
            }
        }
        return false;
    }
}
