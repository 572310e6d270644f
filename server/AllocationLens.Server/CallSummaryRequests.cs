using System.Text.Json;
using AllocationLens.Analysis;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>
/// Call summaries and parameter facts in the editor: the hover on a call's name says what the call
/// allocates, the hover on a parameter's name whether it escapes, an optional inlay hint after each call
/// whose source callees allocate (off by default: `allocationLens.inlayHints.callSummaries`, sent in the
/// initialization options and on workspace/didChangeConfiguration), and the Explain payload's calls.
/// All computed lazily for the position or range asked, and cached per callee per compilation by the engine.
/// Freshness: an edit makes a new compilation, so nothing is stale; hints in other open documents are
/// re-requested after typing pauses (workspace/inlayHint/refresh, see ScheduleCrossFileRefresh).
/// </summary>
public sealed partial class LanguageServer
{
    private volatile bool _callSummaryHints;

    /// <summary>Whether inlay hints include call summaries (tests read it).</summary>
    public bool CallSummaryHints => _callSummaryHints;

    private void SummaryError(Microsoft.CodeAnalysis.SyntaxNode node, Exception ex) =>
        _log.Error($"engine failure (call summary) in {node.GetLocation().GetLineSpan()}: {ex.GetType().Name}: {ex.Message}");

    /// <summary>Reads `callSummaryHints` (initialization options) or `allocationLens.inlayHints.callSummaries` (settings).</summary>
    private void ReadCallSummarySetting(JsonElement options)
    {
        if (options.ValueKind != JsonValueKind.Object) return;
        if (options.TryGetProperty("callSummaryHints", out var flat) && flat.ValueKind is JsonValueKind.True or JsonValueKind.False)
            _callSummaryHints = flat.ValueKind == JsonValueKind.True;
        var section = options.TryGetProperty("settings", out var settings) ? settings : options;
        if (section.ValueKind == JsonValueKind.Object && section.TryGetProperty("allocationLens", out var lens) && lens.ValueKind == JsonValueKind.Object
            && lens.TryGetProperty("inlayHints", out var hints) && hints.ValueKind == JsonValueKind.Object
            && hints.TryGetProperty("callSummaries", out var enabled) && enabled.ValueKind is JsonValueKind.True or JsonValueKind.False)
            _callSummaryHints = enabled.ValueKind == JsonValueKind.True;
    }

    private void OnDidChangeConfiguration(JsonElement? parameters)
    {
        bool before = _callSummaryHints;
        if (parameters is { } p) ReadCallSummarySetting(p);
        if (before != _callSummaryHints) _ = RefreshHintsAsync();
        OnRuntimeSettingChanged(parameters);
    }

    private IEnumerable<InlayHint> CallSummaryHintsIn(DocumentSnapshot snapshot, TextSpan span, CancellationToken token)
    {
        if (!_callSummaryHints) return [];
        return CallSummaries.In(snapshot.Compilation, snapshot.Tree, span, snapshot.Runtime, token, SummaryError)
            .Where(s => s.Known && s.Total > 0).Select(SummaryRendering.Hint);
    }

    /// <summary>The call summary or parameter fact at a position, as hover Markdown and its range; null when there is none.</summary>
    private (string Markdown, Range Range)? SummaryHover(DocumentSnapshot snapshot, string uri, int offset, CancellationToken token)
    {
        if (CallSummaries.At(snapshot.Compilation, snapshot.Tree, offset, snapshot.Runtime, token, SummaryError) is { } summary)
            return (SummaryRendering.HoverMarkdown(summary, uri, snapshot.Runtime.Description), SummaryRendering.RangeOf(summary.Call));
        if (ParameterEscape.At(snapshot.Compilation, snapshot.Tree, offset, snapshot.Runtime, token, SummaryError) is { } fact)
        {
            var name = snapshot.Tree.GetRoot(token).FindToken(offset);
            return (SummaryRendering.ParameterMarkdown(fact, uri, snapshot.Runtime.Description), SummaryRendering.RangeOf(new SourceSpan(snapshot.Tree.FilePath, name.Span, snapshot.Tree.GetLineSpan(name.Span, token).Span)));
        }
        return null;
    }

    /// <summary>
    /// The Explain payload's "Calls that allocate": on a method's declaration line, every call its body makes;
    /// elsewhere, the calls on the cursor's line.
    /// </summary>
    private object[] ExplainCalls(DocumentSnapshot snapshot, string uri, int offset, TextLine line, CancellationToken token)
    {
        var root = snapshot.Tree.GetRoot(token);
        var declaration = root.FindToken(offset).Parent?.AncestorsAndSelf().FirstOrDefault(n =>
            n is Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.LocalFunctionStatementSyntax);
        bool onHeader = declaration is not null
            && snapshot.Tree.GetLineSpan(declaration.Span, token).StartLinePosition.Line == line.LineNumber
            && (declaration is not Microsoft.CodeAnalysis.CSharp.Syntax.BaseMethodDeclarationSyntax m || m.Body is null || m.Body.SpanStart > offset);
        var summaries = onHeader
            ? CallSummaries.OfMember(snapshot.Compilation, declaration!, snapshot.Runtime, token, SummaryError)
            : CallSummaries.In(snapshot.Compilation, snapshot.Tree, line.Span, snapshot.Runtime, token, SummaryError);
        return summaries.Where(s => !s.Known || s.Total > 0).Select(s => SummaryRendering.Explain(s, uri)).ToArray();
    }
}
