using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace AllocationLens.Analysis;

/// <summary>
/// One function the JIT compiles on its own: a method, accessor, constructor, lambda or local function.
/// Loops, escape and stack allocation are judged per function, exactly as the JIT does.
/// </summary>
internal sealed class FunctionScope
{
    public FunctionScope(IOperation root, ISymbol? symbol, string displayName, bool runsOnce)
    {
        Root = root;
        Symbol = symbol;
        DisplayName = displayName;
        RunsOnce = runsOnce;
    }

    /// <summary>The body operation; nested lambdas and local functions are scopes of their own.</summary>
    public IOperation Root { get; }
    public ISymbol? Symbol { get; }
    /// <summary>How explanations name it: "Make", "the lambda at line 12".</summary>
    public string DisplayName { get; }
    /// <summary>Static constructors and static field initializers run once per process.</summary>
    public bool RunsOnce { get; }

    /// <summary>
    /// The display classes this function allocates, by captured variable (set by ClosureRule when the function
    /// is entered), so that a delegate's hover can name the closure it carries.
    /// </summary>
    public Dictionary<ISymbol, ClosureNote>? Closures { get; set; }

    private EscapeAnalysis? _escape;
    public EscapeAnalysis Escape(AnalysisSession session) => _escape ??= new EscapeAnalysis(this, session);

    public static bool IsNestedFunction(IOperation op) => op is IAnonymousFunctionOperation or ILocalFunctionOperation;
}

/// <summary>One display class: where its first variable is declared, its size, and the variables it holds ("`a`, `b`").</summary>
internal sealed record ClosureNote(SourceSpan Declaration, int Bytes, string Names);
