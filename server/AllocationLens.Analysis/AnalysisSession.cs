using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AllocationLens.Analysis;

/// <summary>
/// State shared by one analysis of one compilation: the target runtime, the compilation, and caches
/// of per-callee facts (inlinability, which parameters escape). Facts about a callee depend only on its
/// body and declared signatures, so they stay valid for as long as the compilation does.
/// </summary>
internal sealed class AnalysisSession
{
    public AnalysisSession(Compilation compilation, TargetRuntime runtime, CancellationToken cancellationToken)
    {
        Compilation = compilation;
        Runtime = runtime;
        CancellationToken = cancellationToken;
        LanguageVersion = compilation is CSharpCompilation c ? c.LanguageVersion : LanguageVersion.Latest;
    }

    public Compilation Compilation { get; }
    public TargetRuntime Runtime { get; }
    /// <summary>What the target's runtime measured about framework code (sizes, inlined members, allocating calls).</summary>
    public FrameworkFacts Facts => Runtime.Facts;
    public CancellationToken CancellationToken { get; }
    public LanguageVersion LanguageVersion { get; }

    /// <summary>C# 11 caches delegates for static method groups, as it always did for non-capturing lambdas.</summary>
    public bool CachesStaticMethodGroups => LanguageVersion >= LanguageVersion.CSharp11;

    /// <summary>
    /// What a callee does with one parameter, keyed by everything the answer depends on: the receiver's
    /// exact type picks the implementations the callee's own calls reach, and the depth how much inlining
    /// budget is left. (Keyed by method and parameter only, the first caller's answer was everyone's, and
    /// in a parallel batch which caller came first is a race.)
    /// </summary>
    public ConcurrentDictionary<CalleeQuestion, CalleeSummary> CalleeSummaries { get; } = new(CalleeKey.Comparer);
    public ConcurrentDictionary<IMethodSymbol, FunctionScope?> CalleeBodies { get; } = new(SymbolEqualityComparer.Default);
    /// <summary>IL bytes a type's instance field and property initializers add to its constructors (ConstructorInitializers).</summary>
    public ConcurrentDictionary<INamedTypeSymbol, (int Il, bool HasLambda)> InitializerIl { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// Where the source bodies read while judging the current member are recorded (null: nobody asks).
    /// One slot per thread: a batch analysis shares one session across the documents it judges in
    /// parallel (<see cref="AllocationAnalyzer.AnalyzeAll"/>), each thread judging one member at a time.
    /// </summary>
    public SourceDependencies? Dependencies { get => _dependencies.Value; set => _dependencies.Value = value; }

    private readonly ThreadLocal<SourceDependencies?> _dependencies = new();

    /// <summary>Records that the current member's verdicts depend on this source body.</summary>
    public void DependOn(SyntaxNode body) => Dependencies?.Add(body);

    /// <summary>
    /// Computes a callee summary with its own dependency record, so that every later reader of the
    /// cached summary inherits the bodies it was derived from, not only the first.
    /// </summary>
    public CalleeSummary Summarize(Func<EscapeResult> compute)
    {
        var outer = Dependencies;
        var own = new SourceDependencies();
        Dependencies = own;
        try { return new CalleeSummary(compute(), own); }
        finally { Dependencies = outer; }
    }

    /// <summary>One model per tree, so its bound bodies are shared: read without a lock (every operation asks), created under one.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SyntaxTree, SemanticModel> _models = new();

    public SemanticModel ModelFor(SyntaxTree tree)
    {
        if (_models.TryGetValue(tree, out var model)) return model;
        lock (_models)
        {
            if (!_models.TryGetValue(tree, out model))
                _models[tree] = model = CreateModel(tree);
            return model;
        }
    }

    /// <summary>
    /// Drops this session's semantic model of a document whose own members are all judged: its bound
    /// bodies are no longer needed for them, and a batch over a large project must not hold every
    /// document's bound trees at once. The callee facts derived from it stay cached; a later question about
    /// one of its bodies binds it again in a new model.
    /// </summary>
    public void Release(SyntaxTree tree)
    {
        lock (_models) _models.TryRemove(tree, out _);
    }

    /// <summary>What a callee does with one parameter, and the source bodies that answer rests on.</summary>
    public sealed record CalleeSummary(EscapeResult Result, SourceDependencies Dependencies);

    /// <summary>
    /// Nullable flow analysis is skipped: allocation verdicts never depend on nullability, and Roslyn
    /// otherwise re-walks every bound member for it (measured: 10-20% of binding on the throughput corpus).
    /// The option is marked experimental in Roslyn 4.14, which Directory.Packages.props pins.
    /// </summary>
    private SemanticModel CreateModel(SyntaxTree tree)
    {
#pragma warning disable RSEXPERIMENTAL001
        return Compilation.GetSemanticModel(tree, SemanticModelOptions.DisableNullableAnalysis);
#pragma warning restore RSEXPERIMENTAL001
    }

    /// <summary>One question about a callee: where does argument <c>Ordinal</c> (-1: the receiver) go?</summary>
    public readonly record struct CalleeQuestion(IMethodSymbol Method, int Ordinal, ITypeSymbol? ReceiverExact, int Depth);

    private sealed class CalleeKey : IEqualityComparer<CalleeQuestion>
    {
        public static readonly CalleeKey Comparer = new();
        public bool Equals(CalleeQuestion x, CalleeQuestion y) =>
            x.Ordinal == y.Ordinal && x.Depth == y.Depth && SymbolEqualityComparer.Default.Equals(x.Method, y.Method) &&
            SymbolEqualityComparer.Default.Equals(x.ReceiverExact, y.ReceiverExact);
        public int GetHashCode(CalleeQuestion obj) =>
            HashCode.Combine(SymbolEqualityComparer.Default.GetHashCode(obj.Method), obj.Ordinal, obj.Depth,
                obj.ReceiverExact is null ? 0 : SymbolEqualityComparer.Default.GetHashCode(obj.ReceiverExact));
    }
}
