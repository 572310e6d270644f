using System.Text;
using AllocationLens.Analysis;

namespace AllocationLens.Server;

/// <summary>
/// The one place that turns engine sites into LSP shapes: hint positions, hover Markdown, the explain
/// payload. Engine spans are 0-based line/UTF-16 character, exactly LSP's default encoding.
/// </summary>
public static class SiteRendering
{
    /// <summary>The server-side command (workspace/executeCommand) that returns the explain payload.</summary>
    public const string ExplainCommand = "allocationLens.explain";

    /// <summary>The client-side command a hover links to; it calls <see cref="ExplainCommand"/> and opens the panel.</summary>
    public const string ClientExplainCommand = "allocationLens.explainAllocation";

    /// <summary>The client-side command a hover links to for one method; it calls the server's verify command with progress.</summary>
    public const string ClientVerifyCommand = "allocationLens.verifyMethodWithJit";

    public static string Label(AllocationKind kind) => kind switch
    {
        AllocationKind.Heap => "heap",
        AllocationKind.Boxed => "boxed",
        _ => "stack",
    };

    public static Position Start(AllocationSite site) => new(site.Where.Lines.Start.Line, site.Where.Lines.Start.Character);
    public static Position End(AllocationSite site) => new(site.Where.Lines.End.Line, site.Where.Lines.End.Character);
    public static Range RangeOf(AllocationSite site) => new(Start(site), End(site));

    public static InlayHint Hint(AllocationSite site) => Hint(site, null, "", []);

    /// <summary>A hint; after "Verify with JIT", in its verified (`heap ✓`) or disagreement (`⚠ stack · JIT heap`) form.</summary>
    /// <remarks>After a measured run the label gains the measured bytes (`heap · 1.2 MB`), and a `stack` the run contradicts is marked ⚠.</remarks>
    public static InlayHint Hint(AllocationSite site, Verification.SiteJit? jit, string targetFramework, IReadOnlyList<string> runtimes, SiteMeasured? measured = null)
    {
        var (compared, disagrees) = jit is null ? (null, false) : JitRendering.Compare(site, jit, targetFramework, runtimes);
        var label = JitRendering.HintLabel(site, compared, disagrees) + MeasuredRendering.HintSuffix(measured);
        if (measured?.Disagreement is not null && !label.StartsWith('⚠')) label = "⚠ " + label;
        var tooltip = $"**{Label(site.Kind)}**: {Escape(site.Message)}";
        if (measured?.Entry.Measured is { Samples: > 0 } figures) tooltip += $"\n\n*measured*: {MeasuredRendering.Figures(figures)}";
        if (measured?.Disagreement is { } disagreement) tooltip += $"\n\n⚠ *the run disagrees*: {Escape(disagreement)}";
        if (site.Cold is { } cold) tooltip += $"\n\n*{cold.Word}*: {Escape(cold.Text)}";
        string? jitState = null;
        if (compared is not null)
        {
            jitState = disagrees ? "disagrees" : "verified";
            tooltip += "\n\n" + JitRendering.RuntimeLine(jit!, compared);
        }
        return new(End(site), label, new MarkupContent("markdown", tooltip), PaddingLeft: true,
            new { kind = Label(site.Kind), category = site.Category, jit = jitState, cold = site.Cold?.Id, measured = measured?.Entry.Measured?.Bytes });
    }

    /// <summary>Hover Markdown: what, how big, why (numbered, linked), for which runtime, and what to do.</summary>
    public static string HoverMarkdown(AllocationSite site, string documentUri, string? source = null,
        Verification.SiteJit? jit = null, string targetFramework = "", IReadOnlyList<string>? runtimes = null, IReadOnlyList<OtherRuntimeVerdict>? inPlay = null,
        SiteMeasured? measured = null)
    {
        var md = new StringBuilder();
        md.Append("**").Append(Label(site.Kind)).Append("** · ").Append(site.Category);
        if (site.TypeName.Length > 0) md.Append(" `").Append(site.TypeName).Append('`');
        if (site.Bytes is { } bytes) md.Append(" · ").Append(bytes).Append(" bytes");
        if (site.LoopDepth > 0) md.Append(" · in a loop (depth ").Append(site.LoopDepth).Append(')');
        if (site.Cold is { } cold) md.Append(" · ").Append(cold.Word);
        md.Append("\n\n").Append(Escape(site.Message)).Append("\n\n");
        if (site.Cold is { } coldPath) md.Append("*").Append(coldPath.RunsOnce ? "Runs once" : "Cold").Append("*: ").Append(Escape(coldPath.Text)).Append(".\n\n");
        int n = 1;
        foreach (var step in site.Why)
        {
            var uri = step.Where.Path.Length > 0 ? UriPaths.ToUri(step.Where.Path) : documentUri;
            md.Append(n++).Append(". ").Append(Escape(step.Text)).Append(" — [")
              .Append(Path.GetFileName(step.Where.Path)).Append(':').Append(step.Where.Line + 1).Append("](")
              .Append(uri).Append("#L").Append(step.Where.Line + 1).Append(")\n");
        }
        md.Append("\nJudged for ").Append(site.Runtime);
        if (!site.Certain) md.Append("; this verdict rests on something we cannot know statically (\"may\")");
        if (source is not null) md.Append(" · ").Append(source);
        md.Append(".\n");
        // Other runtimes that run this code in the workspace (another app loads the library, another target).
        foreach (var other in inPlay ?? [])
            md.Append("\nAlso runs on ").Append(other.Runtime.DisplayName)
              .Append(other.Runtime.Reason is { Length: > 0 } reason ? $" ({Escape(reason)})" : "")
              .Append(": **").Append(other.Kind is { } k ? Label(k) : "no allocation here").Append("**.\n");
        if (!site.Remedies.IsEmpty)
        {
            md.Append("\n**What to do**\n");
            foreach (var remedy in site.Remedies) md.Append("- ").Append(Escape(remedy)).Append('\n');
        }
        if (measured is not null) MeasuredRendering.AppendHover(md, measured);
        if (jit is not null) JitRendering.AppendHover(md, site, jit, targetFramework, runtimes ?? []);
        var args = Uri.EscapeDataString($"[\"{documentUri}\",{{\"line\":{site.Where.Lines.Start.Line},\"character\":{site.Where.Lines.Start.Character}}}]");
        md.Append("\n[Explain allocation](command:").Append(ClientExplainCommand).Append('?').Append(args).Append(')');
        md.Append(" · [Verify this method with the JIT](command:").Append(ClientVerifyCommand).Append('?').Append(args).Append(')');
        return md.ToString();
    }

    /// <summary>The structured story for the Explain panel (and scripts).</summary>
    /// <param name="otherRuntimes">The site on other runtimes: those in play for the file first (with reasons), then the other measured ones.</param>
    public static object Explain(AllocationSite site, string documentUri, string source, IReadOnlyList<OtherRuntimeVerdict> otherRuntimes,
        Verification.SiteJit? jit = null, string targetFramework = "", IReadOnlyList<string>? runtimes = null, object[]? fixes = null, SiteMeasured? measured = null) => new
    {
        uri = documentUri,
        range = RangeOf(site),
        kind = Label(site.Kind),
        category = site.Category,
        type = site.TypeName,
        bytes = site.Bytes,
        subject = site.Subject,
        message = site.Message,
        loopDepth = site.LoopDepth,
        certain = site.Certain,
        runtime = site.Runtime,
        source,
        why = site.Why.Select(s => new
        {
            uri = s.Where.Path.Length > 0 ? UriPaths.ToUri(s.Where.Path) : documentUri,
            path = s.Where.Path,
            line = s.Where.Line + 1,
            column = s.Where.Lines.Start.Character + 1,
            text = s.Text,
        }).ToArray(),
        remedies = site.Remedies.ToArray(),
        cold = site.Cold is { } c ? new { reason = c.Id, label = c.Word, message = c.Text } : null,
        otherRuntimes = otherRuntimes.Select(r => new { runtime = r.Runtime.DisplayName, kind = r.Kind is { } k ? Label(k) : "none", inPlay = r.InPlay, reason = r.InPlay ? r.Runtime.Reason : null }).ToArray(),
        jit = JitRendering.Explain(site, jit, targetFramework, runtimes ?? []),
        measured = measured is null ? null : MeasuredRendering.Explain(measured),
        markdown = HoverMarkdown(site, documentUri, source, jit, targetFramework, runtimes, otherRuntimes.Where(r => r.InPlay).ToList(), measured),
        fixes = fixes ?? [],
    };

    /// <summary>One site as the Allocations view lists it (allocationLens/workspaceAllocations); jit is "verified", "disagrees" or null.</summary>
    /// <remarks>After a measured run: `measured` (estimated bytes, objects and samples) where the run allocated, `coverage` where it is known.</remarks>
    public static object ViewSite(AllocationSite site, string? jit, SiteMeasured? measured = null) => new
    {
        range = RangeOf(site),
        kind = Label(site.Kind),
        category = site.Category,
        type = site.TypeName,
        bytes = site.Bytes,
        subject = site.Subject,
        message = site.Message,
        loopDepth = site.LoopDepth,
        certain = site.Certain,
        jit,
        cold = site.Cold?.Id,
        measured = measured?.Entry.Measured is { } m ? new { bytes = m.Bytes, objects = m.Objects, samples = m.Samples } : null,
        coverage = measured?.Entry.Coverage,
        disagreement = measured?.Disagreement,
    };

    /// <summary>
    /// A member's CodeLens: "2 heap · 1 boxed · 1 in a loop · 96 B per call". Only heap and boxed sites
    /// count (stack ones cost nothing); "per call" adds the static sizes of those outside loops ("≥" when
    /// some size is not static, left out when none is). Cold sites (a throw, a catch, an initializer) are
    /// listed apart ("· 2 cold", "· 1 once") and never in the counts or the bytes per call. Null when the member
    /// allocates nothing.
    /// </summary>
    public static string? LensTitle(IReadOnlyList<AllocationSite> sites)
    {
        int heap = 0, boxed = 0, inLoop = 0, perCallBytes = 0;
        int cold = 0, once = 0;
        bool unknownSize = false, anyKnown = false;
        foreach (var site in sites)
        {
            if (site.Kind == AllocationKind.Stack) continue;
            if (site.Cold is { } c) { if (c.RunsOnce) once++; else cold++; continue; }
            if (site.Kind == AllocationKind.Heap) heap++; else boxed++;
            if (site.LoopDepth > 0) { inLoop++; continue; }
            if (site.Bytes is { } bytes) { perCallBytes += bytes; anyKnown = true; }
            else unknownSize = true;
        }
        if (heap + boxed + cold + once == 0) return null;
        var parts = new List<string>(5);
        if (heap > 0) parts.Add($"{heap} heap");
        if (boxed > 0) parts.Add($"{boxed} boxed");
        if (inLoop > 0) parts.Add($"{inLoop} in a loop");
        if (anyKnown) parts.Add($"{(unknownSize ? "≥ " : "")}{perCallBytes} B per call");
        if (cold > 0) parts.Add($"{cold} cold");
        if (once > 0) parts.Add($"{once} once");
        return string.Join(" · ", parts);
    }

    private static string Escape(string text) => text.Replace("<", "\\<").Replace(">", "\\>");
}
