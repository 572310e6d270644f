using System.Text;
using AllocationLens.Analysis;

namespace AllocationLens.Server;

/// <summary>
/// Call summaries ("this call allocates") and parameter escape facts in LSP shapes: hover Markdown, the
/// optional inlay hint after a call (allocationLens.inlayHints.callSummaries), and the Explain payload's
/// "Calls that allocate" section. The companion of <see cref="SiteRendering"/>.
/// </summary>
public static class SummaryRendering
{
    /// <summary>How many contributing sites a hover lists, largest first.</summary>
    public const int TopSites = 3;

    public static Range RangeOf(SourceSpan where) =>
        new(new Position(where.Lines.Start.Line, where.Lines.Start.Character), new Position(where.Lines.End.Line, where.Lines.End.Character));

    /// <summary>The hint after a call whose callees allocate: `allocates 3`, the sentence as its tooltip.</summary>
    public static InlayHint Hint(CallSummary summary) =>
        new(new Position(summary.Call.Lines.End.Line, summary.Call.Lines.End.Character),
            $"allocates {summary.Total}{(summary.Certain ? "" : "?")}",
            new MarkupContent("markdown", Escape(summary.Sentence)), PaddingLeft: true,
            new { kind = "call", heap = summary.Heap, boxed = summary.Boxed, bytes = summary.Bytes });

    /// <summary>The hover section: the sentence, the top sites as file:line links, the assumption, and where it stopped.</summary>
    public static string HoverMarkdown(CallSummary summary, string documentUri, string runtime)
    {
        var md = new StringBuilder();
        md.Append(Escape(summary.Sentence)).Append(".\n\n");
        if (summary.Sites.Length > 0)
        {
            int n = 1;
            foreach (var site in summary.Sites.Take(TopSites))
            {
                md.Append(n++).Append(". ").Append(site.Kind == AllocationKind.Boxed ? "boxed" : "heap").Append(" `").Append(Code(site.Subject)).Append('`');
                if (site.Bytes is { } b) md.Append(" (").Append(b).Append(" B)");
                md.Append(" in `").Append(Code(site.Inside)).Append('`');
                if (site.InLoop) md.Append(", in a loop");
                md.Append(" — ").Append(Link(site.Where, documentUri)).Append('\n');
            }
            if (summary.Sites.Length > TopSites) md.Append("\nand ").Append(summary.Sites.Length - TopSites).Append(" more.\n");
            md.Append('\n');
        }
        if (summary.Resolution is { } resolution) md.Append("Virtual call: ").Append(Escape(resolution)).Append(".\n\n");
        foreach (var note in summary.Notes) md.Append("- ").Append(Escape(note)).Append('\n');
        if (!summary.Notes.IsEmpty) md.Append('\n');
        md.Append("Counts are allocation sites in source callees (up to ").Append(CallSummaries.MaxDepth)
          .Append(" calls deep), judged for ").Append(runtime).Append("; a site in a loop counts once.");
        return md.ToString();
    }

    /// <summary>The hover on a parameter's declaration: the sentence and the path to the sink.</summary>
    public static string ParameterMarkdown(ParameterFact fact, string documentUri, string runtime)
    {
        var md = new StringBuilder();
        md.Append("**parameter** · ").Append(Escape(fact.Sentence)).Append("\n\n");
        int n = 1;
        foreach (var step in fact.Why)
            md.Append(n++).Append(". ").Append(Escape(step.Text)).Append(" — ").Append(Link(step.Where, documentUri)).Append('\n');
        if (fact.ReturnedAt is { } returned) md.Append("- returned — ").Append(Link(returned, documentUri)).Append('\n');
        foreach (var assumption in fact.Assumptions) md.Append("- ").Append(Escape(assumption)).Append('\n');
        md.Append("\nWhat a caller's fresh object passed here would do, judged for ").Append(runtime)
          .Append(fact.Escapes ? ": the caller's allocation is then on the heap." : ": the caller's allocation can stay on the stack if the JIT inlines this method.");
        return md.ToString();
    }

    /// <summary>One entry of the Explain payload's `calls` ("Calls that allocate").</summary>
    public static object Explain(CallSummary summary, string documentUri) => new
    {
        uri = documentUri,
        line = summary.Call.Line + 1,
        column = summary.Call.Lines.Start.Character + 1,
        callee = summary.Callee,
        sentence = summary.Sentence,
        heap = summary.Heap,
        boxed = summary.Boxed,
        bytes = summary.Bytes,
        certain = summary.Certain,
        resolution = summary.Resolution,
        notes = summary.Notes.ToArray(),
        sites = summary.Sites.Take(TopSites).Select(s => new
        {
            uri = s.Where.Path.Length > 0 ? UriPaths.ToUri(s.Where.Path) : documentUri,
            path = s.Where.Path,
            line = s.Where.Line + 1,
            column = s.Where.Lines.Start.Character + 1,
            kind = s.Kind == AllocationKind.Boxed ? "boxed" : "heap",
            subject = s.Subject,
            bytes = s.Bytes,
            inside = s.Inside,
            inLoop = s.InLoop,
        }).ToArray(),
    };

    private static string Link(SourceSpan where, string documentUri)
    {
        var uri = where.Path.Length > 0 ? UriPaths.ToUri(where.Path) : documentUri;
        return $"[{Path.GetFileName(where.Path)}:{where.Line + 1}]({uri}#L{where.Line + 1})";
    }

    private static string Code(string text) => text.Replace("`", "'");
    private static string Escape(string text) => text.Replace("<", "\\<").Replace(">", "\\>");
}
