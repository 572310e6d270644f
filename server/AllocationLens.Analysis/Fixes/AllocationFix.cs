using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace AllocationLens.Analysis.Fixes;

/// <summary>What a fix may look at: the document's semantic model and the runtime its verdicts are for.</summary>
internal sealed record FixContext(SemanticModel Model, TargetRuntime Runtime, CancellationToken CancellationToken)
{
    public SyntaxTree Tree => Model.SyntaxTree;
    public Compilation Compilation => Model.Compilation;
    public LanguageVersion LanguageVersion => (Tree.Options as CSharpParseOptions)?.LanguageVersion ?? LanguageVersion.Latest;
}

/// <summary>
/// One kind of quick fix. <see cref="Offer"/> is asked about every syntax node of the requested range
/// that <see cref="Targets"/> accepts, and returns a fix only when it is correct there: the rewritten code
/// compiles and means the same, and the allocation goes away (or, for `static`, can no longer appear).
/// </summary>
internal abstract class AllocationFix
{
    public abstract string Id { get; }
    public abstract bool Targets(SyntaxNode node);
    public abstract QuickFix? Offer(SyntaxNode node, FixContext context);
}
