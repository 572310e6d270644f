using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace AllocationLens.Analysis;

/// <summary>
/// Whether a method's parameter escapes, for the hover on its declaration, like Go's `leaking param: p`.
/// It is the question the engine already asks when a caller passes a fresh object to this method (the
/// connection graph of <see cref="EscapeAnalysis"/>, with returns handed back to the caller), so the
/// answer is what a caller's verdict would rest on if the JIT inlined this method.
/// </summary>
/// <param name="Escapes">The value leaves the method: stored, captured, thrown, or passed to a call that keeps it.</param>
/// <param name="ReturnedAt">Where the method first returns it, if it does (it then escapes to the caller through the result).</param>
/// <param name="Why">The path to the sink, as a heap verdict's reasons.</param>
public sealed record ParameterFact(string Name, string Method, bool Escapes, SourceSpan? ReturnedAt, ImmutableArray<WhyStep> Why, bool Certain, ImmutableArray<string> Assumptions)
{
    /// <summary>"`p` escapes: stored to field `_x` of a heap object (line 12)", "`p` does not escape".</summary>
    public string Sentence
    {
        get
        {
            var who = $"`{Name}`";
            var returned = ReturnedAt is { } r ? $"returned (line {r.Line + 1})" : null;
            if (Escapes && Why.Length > 0)
            {
                var sink = Why[^1];
                return $"{who} {(Certain ? "escapes" : "may escape")}: {sink.Text} (line {sink.Where.Line + 1}){(returned is null ? "" : "; it is also " + returned)}";
            }
            if (Escapes) return $"{who} {(Certain ? "escapes" : "may escape")}";
            if (returned is not null) return $"{who} is {returned}: it leaves `{Method}` only through the result, so it escapes if the caller lets the result escape";
            return $"{who} does not escape `{Method}`";
        }
    }
}

public static class ParameterEscape
{
    /// <summary>The fact for the parameter whose name is at <paramref name="position"/>, or null when there is none to state.</summary>
    public static ParameterFact? At(Compilation compilation, SyntaxTree tree, int position, TargetRuntime runtime, CancellationToken cancellationToken = default, Action<SyntaxNode, Exception>? onInternalError = null)
    {
        var root = tree.GetRoot(cancellationToken);
        if (position < 0 || position > root.FullSpan.End) return null;
        var token = root.FindToken(position);
        if (token.Parent is not ParameterSyntax parameter || token != parameter.Identifier) return null;
        try
        {
            var session = new AnalysisSession(compilation, runtime, cancellationToken);
            var model = session.ModelFor(tree);
            if (model.GetDeclaredSymbol(parameter, cancellationToken) is not IParameterSymbol symbol) return null;
            if (symbol.ContainingSymbol is not IMethodSymbol method) return null;
            // Value types are copied in: nothing of the caller's can escape through them (a boxing is the method's own site).
            if (symbol.Type.IsValueType && symbol.RefKind == RefKind.None) return null;
            var body = Inlining.BodyOf(session, method);
            if (body is null) return null;
            var name = method.MethodKind == MethodKind.Constructor ? method.ContainingType.Name : method.AssociatedSymbol?.Name ?? method.Name;
            var (result, returnedAt) = body.Escape(session).TraceParameterFact(symbol.Ordinal);
            return new ParameterFact(symbol.Name, name, result.Escapes, returnedAt, result.Steps, result.Certain, result.Assumptions);
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception ex)
        {
            onInternalError?.Invoke(parameter, ex);
            return null;
        }
    }
}
