using System.Text;
using AllocationLens.Measurement;

namespace AllocationLens.Server;

/// <summary>A site's state from the last measured run, with `measure`'s disagreement for it (null when the legs agree).</summary>
public sealed record SiteMeasured(MeasuredEntry Entry, MeasuredRunInfo? Run, string? Disagreement);

/// <summary>
/// How a measurement shows on a site: the hint keeps its word and gains the measured bytes
/// (`heap · 1.2 MB`), the hover and Explain say how much, in how many tests, which tests most, and
/// where the legs disagree. Figures are estimates from sampling and always read as such ("~", samples).
/// </summary>
internal static class MeasuredRendering
{
    /// <summary>" · 1.2 MB" for a site the run allocated at; empty otherwise.</summary>
    public static string HintSuffix(SiteMeasured? measured) =>
        measured?.Entry.Measured is { Samples: > 0 } m ? " · " + MeasuredFormat.Bytes(m.Bytes) : "";

    /// <summary>"~1.2 MB, ~50,000 objects in 14 tests (37 samples)".</summary>
    public static string Figures(MeasuredFigures m)
    {
        var text = $"~{MeasuredFormat.Bytes(m.Bytes)}, ~{MeasuredFormat.Count(m.Objects)} objects";
        if (m.Tests is > 0 and var tests) text += $" in {tests} test{(tests == 1 ? "" : "s")}";
        return text + $" ({MeasuredFormat.Samples(m.Samples)})";
    }

    /// <summary>The hover's measured section, after the static story (and before the JIT's).</summary>
    public static void AppendHover(StringBuilder md, SiteMeasured measured)
    {
        md.Append("\n---\n");
        var entry = measured.Entry;
        if (entry.Measured is { Samples: > 0 } m)
        {
            md.Append("**Measured: ").Append(Figures(m)).Append("** (sampled)\n\n");
            if (m.TopTests is { Count: > 0 } top)
                md.Append("Most: ").Append(string.Join(", ", top.Select(t => $"`{Escape(t.Test)}` (~{MeasuredFormat.Bytes(t.Bytes)})"))).Append("\n\n");
        }
        else md.Append("**Measured:** ").Append(CoverageText(entry.Coverage)).Append("\n\n");
        if (measured.Disagreement is { } disagreement)
            md.Append("⚠ **The run disagrees:** ").Append(Escape(disagreement)).Append(".\n\n");
        if (measured.Run is { } run) md.Append('_').Append(RunLine(run)).Append("_\n");
    }

    public static string CoverageText(string coverage) => coverage switch
    {
        "never-ran" => "never ran in the measured run (its method was never called).",
        "ran-often" => "its method ran often; no samples here (under the sampling's resolution of about 100 KB, or no allocation).",
        "ran" => "its method ran; no samples here (under the sampling's resolution of about 100 KB, or no allocation).",
        _ => "not measured (its assembly was not loaded, or the method was inlined everywhere).",
    };

    /// <summary>"Measured by `dotnet test . -c Release (exit code 0)`, 3 .NET processes, AllocationSampled, 12 min ago".</summary>
    public static string RunLine(MeasuredRunInfo run)
    {
        var age = DateTimeOffset.UtcNow - run.When;
        string ago = age.TotalMinutes < 1 ? "just now" : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours} h ago" : $"on {run.When:yyyy-MM-dd}";
        return $"Measured by {run.Command}, {run.Processes} .NET process{(run.Processes == 1 ? "" : "es")}, {string.Join(" and ", run.Sources.DefaultIfEmpty("no allocation events"))}, {ago}";
    }

    /// <summary>The Explain panel's (and the view's) measured facts as data.</summary>
    public static object Explain(SiteMeasured measured) => new
    {
        coverage = measured.Entry.Coverage,
        bytes = measured.Entry.Measured?.Bytes,
        objects = measured.Entry.Measured?.Objects,
        samples = measured.Entry.Measured?.Samples,
        tests = measured.Entry.Measured?.Tests,
        topTests = measured.Entry.Measured?.TopTests?.Select(t => new { test = t.Test, bytes = t.Bytes }).ToArray(),
        disagreement = measured.Disagreement,
        run = measured.Run is { } run ? RunLine(run) : null,
    };

    /// <summary>The CodeLens's part: " · measured ~3.4 MB".</summary>
    public static string LensSuffix((long Bytes, int Samples)? total) =>
        total is { } t ? $" · measured ~{MeasuredFormat.Bytes(t.Bytes)}" : "";

    private static string Escape(string text) => text.Replace("<", "\\<").Replace(">", "\\>");
}
