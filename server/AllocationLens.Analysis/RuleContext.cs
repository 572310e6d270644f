using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace AllocationLens.Analysis;

/// <summary>What a rule sees while visiting one operation: the session, the enclosing function, and where to report.</summary>
internal sealed class RuleContext
{
    private readonly List<AllocationSite> _sites;

    public RuleContext(AnalysisSession session, FunctionScope function, SemanticModel model, List<AllocationSite> sites)
    {
        Session = session;
        Function = function;
        Model = model;
        _sites = sites;
    }

    public AnalysisSession Session { get; }
    public FunctionScope Function { get; }
    public SemanticModel Model { get; }
    public TargetRuntime Runtime => Session.Runtime;
    public FrameworkFacts Facts => Session.Runtime.Facts;

    public void Report(
        SourceSpan where, AllocationKind kind, string category, ITypeSymbol? type, int? bytes, string subject,
        string message, ImmutableArray<WhyStep> why, ImmutableArray<string> remedies, int loopDepth, bool certain, ColdPath? cold, bool needsNoJit = false)
    {
        // A stack verdict costs nothing, so there is nothing to call cold.
        _sites.Add(new AllocationSite(where, kind, category, TypeName(type), bytes, subject, message, why, remedies, loopDepth, Runtime.Description, certain,
            kind == AllocationKind.Stack ? null : cold) { VerdictNeedsNoJit = needsNoJit });
    }

    public void Report(SourceSpan where, AllocationKind kind, string category, ITypeSymbol? type, int? bytes, string subject, Verdict verdict, ImmutableArray<string> remedies, int loopDepth, ColdPath? cold) =>
        Report(where, kind, category, type, bytes, subject, verdict.Message(subject), verdict.Why, remedies, loopDepth, verdict.Certain, cold);

    public static string TypeName(ITypeSymbol? type) => type switch
    {
        null => "",
        { IsAnonymousType: true } => "anonymous type",
        _ => type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat),
    };
}
