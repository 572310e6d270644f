using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using AllocationLens.Analysis.Rules;

namespace AllocationLens.Analysis;

/// <summary>
/// The engine's entry point: the allocation sites of one document (or one range of it), judged for one
/// target runtime. Never throws on user code: broken code is input; a member the engine cannot handle
/// is skipped and the rest of the document is still analysed.
/// </summary>
public sealed class AllocationAnalyzer
{
    private readonly TargetRuntime _runtime;

    public AllocationAnalyzer(TargetRuntime runtime) => _runtime = runtime;

    public TargetRuntime Runtime => _runtime;

    /// <summary>
    /// Told about members the engine failed on (a bug in a rule, never the user's fault). The member
    /// yields no sites; the server logs this, tests fail on it.
    /// </summary>
    public Action<SyntaxNode, Exception>? OnInternalError { get; init; }

    /// <summary>
    /// The member-level nodes the engine binds, one GetOperation each (bodies, expression bodies,
    /// initializers, top-level statements): what a binding floor in a benchmark must bind too.
    /// </summary>
    public static IEnumerable<SyntaxNode> BoundMembers(SyntaxNode root, TextSpan? range = null) => MemberBodies.In(root, range);

    /// <summary>Sites in <paramref name="tree"/>, limited to members that intersect <paramref name="range"/> when given.</summary>
    public ImmutableArray<AllocationSite> Analyze(Compilation compilation, SyntaxTree tree, TextSpan? range = null, CancellationToken cancellationToken = default) =>
        Analyze(compilation, tree, range, cache: null, version: 0, cancellationToken);

    /// <summary>
    /// Every document of a compilation (the command line's batch job), on all cores: documents are
    /// independent analyses over one thread-safe compilation, as Roslyn's own concurrent build does.
    /// Results come back in the order of <paramref name="trees"/>.
    /// </summary>
    /// <param name="documentDone">Called after each document, from any thread (progress).</param>
    public ImmutableArray<AllocationSite>[] AnalyzeAll(Compilation compilation, IReadOnlyList<SyntaxTree> trees, CancellationToken cancellationToken = default, Action? documentDone = null)
    {
        var results = new ImmutableArray<AllocationSite>[trees.Count];
        // One session for the batch: a callee's facts (its escapes, its inlinability, its allocations) are
        // computed once for every caller in every document, and a document's semantic model that a caller
        // elsewhere created to read a callee is the one its own members are then judged with, so no body
        // is bound twice for those reasons.
        var session = new AnalysisSession(compilation, _runtime, cancellationToken);
        // Largest documents first, so the last one to finish is a small one.
        var order = Enumerable.Range(0, trees.Count).OrderByDescending(i => trees[i].Length).ToArray();
        Parallel.ForEach(order, new ParallelOptions { CancellationToken = cancellationToken },
            i =>
            {
                results[i] = Analyze(session, trees[i], range: null, cache: null, version: 0, membersInParallel: false); // the documents already use every core
                session.Release(trees[i]);
                documentDone?.Invoke();
            });
        return results;
    }

    /// <summary>
    /// As <see cref="Analyze(Compilation, SyntaxTree, TextSpan?, CancellationToken)"/>, reusing the results of
    /// members an edit left valid (an editor session: one cache per open document, <paramref name="version"/>
    /// its document version). Members answered from the cache are not bound at all.
    /// </summary>
    public ImmutableArray<AllocationSite> Analyze(Compilation compilation, SyntaxTree tree, TextSpan? range, MemberResultCache? cache, int version, CancellationToken cancellationToken)
    {
        return Analyze(new AnalysisSession(compilation, _runtime, cancellationToken), tree, range, cache, version);
    }

    private ImmutableArray<AllocationSite> Analyze(AnalysisSession session, SyntaxTree tree, TextSpan? range, MemberResultCache? cache, int version, bool membersInParallel = true)
    {
        var compilation = session.Compilation;
        var cancellationToken = session.CancellationToken;
        if (cache is not null && !cache.Advance(compilation, tree, _runtime, version)) cache = null;
        var sites = new List<AllocationSite>();
        List<SyntaxNode>? misses = null;
        foreach (var member in MemberBodies.In(tree.GetRoot(cancellationToken), range))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Top-level statements span the whole file: every edit touches them, so they are never cached.
            if (cache is not null && member is not CompilationUnitSyntax && cache.TryGet(compilation, tree, member, out var cached))
                sites.AddRange(cached);
            else
                (misses ??= []).Add(member);
        }
        if (misses is null) return Normalize(sites, range); // a fully cached request binds nothing
        var model = session.ModelFor(tree);
        if (misses.Count == 1 || !membersInParallel || !JudgeMembersInParallel || Environment.ProcessorCount == 1)
        {
            foreach (var member in misses)
            {
                cancellationToken.ThrowIfCancellationRequested();
                JudgeMember(session, model, member, cache, sites);
            }
        }
        else
        {
            // Several members to bind (a file opened, a range scrolled into view): they are independent
            // analyses over one thread-safe semantic model, as the batch's documents are, so they may use
            // every core. An edit re-judges one member and stays on the caller's thread. Each member's
            // dependency record is its judging thread's own (AnalysisSession.Dependencies).
            var perMember = new List<AllocationSite>[misses.Count];
            try
            {
                Parallel.For(0, misses.Count, new ParallelOptions { CancellationToken = cancellationToken },
                    i => JudgeMember(session, model, misses[i], cache, perMember[i] = []));
            }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
            {
                cancellationToken.ThrowIfCancellationRequested();
                throw;
            }
            foreach (var judged in perMember) sites.AddRange(judged);
        }
        return Normalize(sites, range);
    }

    /// <summary>
    /// Whether a request with several members to judge spreads them over the cores (the caller knows
    /// whether they are free: a workspace load beside the request already uses them). Off by default.
    /// </summary>
    public bool JudgeMembersInParallel { get; init; }

    /// <summary>Judges one member into <paramref name="sites"/> and caches its result when a cache is given.</summary>
    private void JudgeMember(AnalysisSession session, SemanticModel model, SyntaxNode member, MemberResultCache? cache, List<AllocationSite> sites)
    {
        bool cacheable = cache is not null && member is not CompilationUnitSyntax;
        int before = sites.Count;
        session.Dependencies = cacheable ? new SourceDependencies() : null;
        try
        {
            if (AnalyzeMember(session, model, member, sites, OnInternalError) && cacheable)
                cache!.Store(session.Compilation, model.SyntaxTree, member, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(sites)[before..], session.Dependencies!);
        }
        finally { session.Dependencies = null; }
    }

    /// <summary>False when the engine failed on the member (it then yields nothing, and nothing is cached).</summary>
    private static bool AnalyzeMember(AnalysisSession session, SemanticModel model, SyntaxNode member, List<AllocationSite> sites, Action<SyntaxNode, Exception>? onError)
    {
        int before = sites.Count;
        try
        {
            var operation = model.GetOperation(member, session.CancellationToken);
            if (operation is null) return true;
            var symbol = SymbolFor(model, member, session.CancellationToken);
            bool runsOnce = symbol is { IsStatic: true } && (member is EqualsValueClauseSyntax || symbol is IMethodSymbol { MethodKind: MethodKind.StaticConstructor });
            var name = symbol switch
            {
                IMethodSymbol { MethodKind: MethodKind.Constructor } m => m.ContainingType.Name,
                IMethodSymbol { AssociatedSymbol: { } p } => p.Name,
                null => "<top-level statements>",
                _ => symbol.Name,
            };
            var function = new FunctionScope(operation, symbol as IMethodSymbol ?? symbol, name, runsOnce);
            new FunctionWalker(session, model, sites, AllocationRules.Default).Walk(function);
            return true;
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception ex)
        {
            onError?.Invoke(member, ex);
            // Invariant: the engine never throws on user code. A member whose operations we cannot
            // handle keeps no partial results and yields nothing; the rest of the document is unaffected.
            sites.RemoveRange(before, sites.Count - before);
            return false;
        }
    }

    private static ISymbol? SymbolFor(SemanticModel model, SyntaxNode member, CancellationToken ct) => member switch
    {
        EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax v } => model.GetDeclaredSymbol(v, ct),
        EqualsValueClauseSyntax { Parent: PropertyDeclarationSyntax p } => model.GetDeclaredSymbol(p, ct),
        ArrowExpressionClauseSyntax { Parent: PropertyDeclarationSyntax or IndexerDeclarationSyntax } arrow => (model.GetDeclaredSymbol(arrow.Parent!, ct) as IPropertySymbol)?.GetMethod,
        CompilationUnitSyntax => null,
        _ => model.GetDeclaredSymbol(member, ct),
    };

    private static ImmutableArray<AllocationSite> Normalize(List<AllocationSite> sites, TextSpan? range)
    {
        IEnumerable<AllocationSite> result = sites;
        if (range is { } r) result = result.Where(s => s.Where.Span.IntersectsWith(r) || s.Where.Span.Start == r.Start);
        var ordered = result.OrderBy(s => s.Where.Span.Start).ThenBy(s => s.Where.Span.End).ToList();
        var merged = ImmutableArray.CreateBuilder<AllocationSite>(ordered.Count);
        for (int i = 0; i < ordered.Count; i++)
        {
            var site = ordered[i];
            int j = i + 1;
            while (j < ordered.Count && ordered[j].Where.Span == site.Where.Span) j++;
            if (j > i + 1)
            {
                // Several rules saw one expression (a params span passed to an allocating API, say):
                // users see one verdict, the most severe, with the others' reasons appended.
                var group = ordered.GetRange(i, j - i);
                var primary = group.OrderBy(s => s.Kind == AllocationKind.Stack ? 1 : 0).First();
                var extra = group.Where(s => !ReferenceEquals(s, primary)).SelectMany(s => s.Why);
                site = primary with { Why = primary.Why.AddRange(extra) };
                i = j - 1;
            }
            merged.Add(site);
        }
        return merged.ToImmutable();
    }
}
