using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Analysis;

/// <summary>
/// "This call allocates": for calls to methods with a source body in the same compilation (methods,
/// constructors, property accessors, local functions), what each call allocates, transitively through
/// source callees to <see cref="MaxDepth"/> calls deep. A call back into a method already on the path
/// (recursion) stops there and says so. Lazy and range-scoped: only the calls asked about are summarized,
/// and each callee's own part (<see cref="CalleeAllocations"/>) is computed once per compilation and target.
/// Summaries are never stored in the member cache: a new compilation (any edit) starts a new summary cache,
/// so a summary cannot be stale; the bodies each one read are recorded (Inlining.BodyOf), for readers that
/// cache across edits (the server's refresh) and for <see cref="AnalysisSession.Dependencies"/>.
/// </summary>
public static class CallSummaries
{
    /// <summary>How many calls deep a summary reads: the callee is depth 1.</summary>
    public const int MaxDepth = 3;
    /// <summary>At most this many callee bodies are combined into one summary (fan-out guard).</summary>
    private const int MaxBodies = 200;

    internal sealed class Cache
    {
        public ConcurrentDictionary<TargetRuntime, ConcurrentDictionary<IMethodSymbol, CalleeAllocations?>> ByRuntime { get; } = new();
        public ConcurrentDictionary<IMethodSymbol, IMethodSymbol[]> Implementations { get; } = new(SymbolEqualityComparer.Default);
        public ConcurrentDictionary<IMethodSymbol, CalleeAllocations?> For(TargetRuntime runtime) =>
            ByRuntime.GetOrAdd(runtime, _ => new ConcurrentDictionary<IMethodSymbol, CalleeAllocations?>(SymbolEqualityComparer.Default));
    }

    private static readonly ConditionalWeakTable<Compilation, Cache> s_caches = new();

    internal static Cache CacheOf(Compilation compilation) => s_caches.GetValue(compilation, _ => new Cache());

    internal readonly record struct CallSite(IMethodSymbol Method, IOperation? Receiver);

    /// <summary>The method an operation calls, for the operations that run a source body: invocations, `new`, property accessors.</summary>
    internal static CallSite? CallOf(IOperation op) => op switch
    {
        IInvocationOperation { TargetMethod.MethodKind: not MethodKind.DelegateInvoke } call => new CallSite(call.TargetMethod, call.Instance),
        IObjectCreationOperation { Constructor: { } ctor } => new CallSite(ctor, null),
        IPropertyReferenceOperation property when AccessorOf(property) is { } accessor => new CallSite(accessor, property.Instance),
        _ => null,
    };

    private static IMethodSymbol? AccessorOf(IPropertyReferenceOperation property)
    {
        bool write = property.Parent is IAssignmentOperation assignment && assignment.Target == property;
        var accessor = write ? property.Property.SetMethod : property.Property.GetMethod;
        if (accessor is null || Inlining.IsAutoAccessor(accessor)) return null;
        return accessor;
    }

    internal static bool IsSource(Compilation compilation, IMethodSymbol method)
    {
        var definition = (method.PartialImplementationPart ?? method).OriginalDefinition;
        foreach (var reference in definition.DeclaringSyntaxReferences)
            if (compilation.ContainsSyntaxTree(reference.SyntaxTree)) return true;
        return false;
    }

    /// <summary>The summary of the call whose name (or `new` and type) is at <paramref name="position"/>, or null when there is none.</summary>
    public static CallSummary? At(Compilation compilation, SyntaxTree tree, int position, TargetRuntime runtime, CancellationToken cancellationToken = default, Action<SyntaxNode, Exception>? onInternalError = null)
    {
        SyntaxNode? node = null;
        try
        {
            var root = tree.GetRoot(cancellationToken);
            if (position < 0 || position > root.FullSpan.End) return null;
            var token = root.FindToken(position);
            node = CallNodeNamedBy(token);
            if (node is null) return null;
            var session = new AnalysisSession(compilation, runtime, cancellationToken);
            var op = session.ModelFor(tree).GetOperation(node, cancellationToken);
            return op is null ? null : Summarize(session, op);
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception ex) { if (node is not null) onInternalError?.Invoke(node, ex); return null; } // the engine never throws on user code (invariant 4)
    }

    /// <summary>Summaries of the source calls whose expressions end inside <paramref name="range"/> (inlay hints, Explain).</summary>
    public static ImmutableArray<CallSummary> In(Compilation compilation, SyntaxTree tree, TextSpan range, TargetRuntime runtime, CancellationToken cancellationToken = default, Action<SyntaxNode, Exception>? onInternalError = null)
    {
        var session = new AnalysisSession(compilation, runtime, cancellationToken);
        var result = ImmutableArray.CreateBuilder<CallSummary>();
        var root = tree.GetRoot(cancellationToken);
        SemanticModel? model = null;
        foreach (var node in root.DescendantNodes(range))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node is not (InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax or ConstructorInitializerSyntax)) continue;
            if (node.Span.End < range.Start || node.Span.End > range.End) continue;
            try
            {
                model ??= session.ModelFor(tree);
                if (model.GetOperation(node, cancellationToken) is { } op && Summarize(session, op) is { } summary) result.Add(summary);
            }
            catch (OperationCanceledException) { throw; }
            catch (Exception ex) { onInternalError?.Invoke(node, ex); } // the engine never throws on user code (invariant 4): that call gets no summary
        }
        return result.ToImmutable();
    }

    /// <summary>
    /// Summaries of every source call a member's body makes directly (not in its lambdas): what a budget adds
    /// for the callees a hot method reaches.
    /// </summary>
    public static ImmutableArray<CallSummary> OfMember(Compilation compilation, SyntaxNode declaration, TargetRuntime runtime, CancellationToken cancellationToken = default, Action<SyntaxNode, Exception>? onInternalError = null)
    {
        var session = new AnalysisSession(compilation, runtime, cancellationToken);
        var model = session.ModelFor(declaration.SyntaxTree);
        var body = model.GetOperation(declaration, cancellationToken);
        if (body is null) return [];
        var result = ImmutableArray.CreateBuilder<CallSummary>();
        foreach (var op in body.DescendantsAndSelf())
        {
            if (CallOf(op) is null || OperationFacts.IsInNestedFunction(op, body) || OperationFacts.IsOmittedConditionalCall(op)) continue;
            try
            {
                if (Summarize(session, op) is { } summary) result.Add(summary);
            }
            catch (OperationCanceledException) { throw; }
            catch (Exception ex) { onInternalError?.Invoke(op.Syntax, ex); }
        }
        return result.ToImmutable();
    }

    /// <summary>The call expression whose callee name the token is, or `new` of an object creation.</summary>
    private static SyntaxNode? CallNodeNamedBy(SyntaxToken token)
    {
        var parent = token.Parent;
        switch (parent)
        {
            case ObjectCreationExpressionSyntax creation when token == creation.NewKeyword:
                return creation;
            case ImplicitObjectCreationExpressionSyntax implicitCreation when token == implicitCreation.NewKeyword:
                return implicitCreation;
            case ConstructorInitializerSyntax initializer when token == initializer.ThisOrBaseKeyword:
                return initializer;
            case SimpleNameSyntax name when token == name.Identifier:
                SyntaxNode expression = name;
                if (name.Parent is MemberAccessExpressionSyntax access && access.Name == name) expression = access;
                else if (name.Parent is MemberBindingExpressionSyntax binding && binding.Name == name) expression = binding;
                else if (name.Parent is QualifiedNameSyntax or AliasQualifiedNameSyntax) expression = name.Parent;
                if (expression.Parent is InvocationExpressionSyntax invocation && invocation.Expression == expression) return invocation;
                if (expression.Parent is ObjectCreationExpressionSyntax created && created.Type == expression) return created;
                // A property with a source accessor body.
                return expression;
            default:
                return null;
        }
    }

    /// <summary>The summary of one call operation, or null when it does not call a source body.</summary>
    internal static CallSummary? Summarize(AnalysisSession session, IOperation op)
    {
        if (CallOf(op) is not { } call || !IsSource(session.Compilation, call.Method)) return null;
        var cache = CacheOf(session.Compilation);
        var resolved = CalleeResolution.Resolve(session.Compilation, call.Method, call.Receiver, cache.Implementations);
        var where = Spans.Of(op.Syntax);
        var callee = Inlining.Signature(call.Method);
        if (resolved.Target is null)
            return new CallSummary(where, callee, false, 0, 0, 0, 0, false, 0, [], resolved.Remark, [], false, []);

        var state = new Accumulator(session, cache);
        state.Add(resolved.Target, depth: 1, inLoop: false, path: ImmutableStack<IMethodSymbol>.Empty);
        var sites = state.Sites.OrderByDescending(s => s.Bytes ?? int.MaxValue).ThenBy(s => s.Depth).ToImmutableArray();
        bool certain = resolved.Certain && state.Certain && sites.All(s => s.Certain);
        int heap = sites.Count(s => s.Kind == AllocationKind.Heap), boxed = sites.Count(s => s.Kind == AllocationKind.Boxed);
        int heapBytes = sites.Where(s => s.Kind == AllocationKind.Heap).Sum(s => s.Bytes ?? 0);
        int boxedBytes = sites.Where(s => s.Kind == AllocationKind.Boxed).Sum(s => s.Bytes ?? 0);
        var files = state.Dependencies.Bodies.Select(b => b.Tree.FilePath).Distinct(StringComparer.Ordinal).ToImmutableArray();
        return new CallSummary(where, callee, true, heap, boxed, heapBytes, boxedBytes, sites.Any(s => s.Bytes is null), sites.Count(s => s.InLoop),
            sites, resolved.Remark, state.Notes.ToImmutableArray(), certain, files);
    }

    /// <summary>Combines callee parts along the call tree, with the recursion and depth stops.</summary>
    private sealed class Accumulator(AnalysisSession session, Cache cache)
    {
        public List<SummarySite> Sites { get; } = new();
        public List<string> Notes { get; } = new();
        public bool Certain { get; private set; } = true;
        public SourceDependencies Dependencies { get; } = new();
        private int _bodies;

        public void Add(IMethodSymbol method, int depth, bool inLoop, ImmutableStack<IMethodSymbol> path)
        {
            session.CancellationToken.ThrowIfCancellationRequested();
            if (++_bodies > MaxBodies)
            {
                Note($"stopped after {MaxBodies} callee bodies; the rest is not counted");
                return;
            }
            var key = (method.PartialImplementationPart ?? method).OriginalDefinition;
            var part = cache.For(session.Runtime).GetOrAdd(key, m => CalleeAllocations.Of(session, m, cache));
            if (part is null) return;
            Dependencies.AddAll(part.Dependencies);
            session.Dependencies?.AddAll(part.Dependencies);
            foreach (var note in part.Notes) Note(note);
            foreach (var site in part.Sites)
                Sites.Add(site with { InLoop = site.InLoop || inLoop, Depth = depth });
            var here = path.Push(key);
            foreach (var call in part.Calls)
            {
                if (call.Target is null)
                {
                    Note($"`{Inlining.Signature(call.Method)}` (line {call.Where.Line + 1}) is not counted: {call.Remark}");
                    continue;
                }
                if (!call.Certain && call.Remark is not null) Note($"`{Inlining.Signature(call.Method)}` (line {call.Where.Line + 1}): {call.Remark}");
                var target = (call.Target.PartialImplementationPart ?? call.Target).OriginalDefinition;
                if (here.Any(m => SymbolEqualityComparer.Default.Equals(m, target)))
                {
                    Note($"recursion: `{Inlining.Signature(call.Target)}` (line {call.Where.Line + 1}) calls back into a method already counted; each recursive call allocates again");
                    continue;
                }
                if (depth >= MaxDepth)
                {
                    Note($"stopped {MaxDepth} calls deep: `{Inlining.Signature(call.Target)}` (line {call.Where.Line + 1}) is not counted");
                    continue;
                }
                Add(call.Target, depth + 1, inLoop || call.InLoop, here);
            }
        }

        private void Note(string text)
        {
            Certain = false;
            if (!Notes.Contains(text) && Notes.Count < 8) Notes.Add(text);
        }
    }
}
