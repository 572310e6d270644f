using System.Text;
using AllocationLens.Analysis;
using AllocationLens.Verification;

namespace AllocationLens.Server;

/// <summary>
/// How "Verify with JIT" shows on a site: the hint's verified form (`heap ✓`, `stack ✓`), the
/// disagreement form (`⚠ stack · JIT heap`), and the hover's per-runtime line and explanation.
/// </summary>
public static class JitRendering
{
    /// <summary>The verdict the static one is compared with (the target's own runtime), and whether they differ.</summary>
    public static (JitVerdict? Compared, bool Disagrees) Compare(AllocationSite site, SiteJit jit, string targetFramework, IReadOnlyList<string> runtimes)
    {
        var compared = JitVerifier.Comparable(jit.Verdicts, targetFramework, runtimes);
        return (compared, compared is not null && JitVerifier.Disagrees(site.Kind, compared));
    }

    /// <summary>The hint's label for a comparison already made: plain, verified (`heap ✓`) or disagreeing (`⚠ stack · JIT heap`).</summary>
    public static string HintLabel(AllocationSite site, JitVerdict? compared, bool disagrees)
    {
        // A cold site says so in one word: `heap · cold` (an error path), `heap · once` (an initializer).
        var label = SiteRendering.Label(site.Kind) + (site.Cold is { } cold ? " · " + cold.Word : "");
        if (compared is null) return label;
        return disagrees ? $"⚠ {label} · JIT {compared.Kind}" : $"{label} ✓";
    }

    /// <summary>"JIT .NET 10.0.12: stack · .NET 11.0.0: stack · .NET 9.0.23: heap", the compared runtime first.</summary>
    public static string RuntimeLine(SiteJit jit, JitVerdict? compared)
    {
        var ordered = jit.Verdicts.OrderByDescending(v => ReferenceEquals(v, compared)).ThenByDescending(v => JitVerifier.ParseVersion(v.Runtime));
        return "JIT " + string.Join(" · ", ordered.Select(v => $".NET {v.Runtime}: {v.Kind}"));
    }

    public static void AppendHover(StringBuilder md, AllocationSite site, SiteJit jit, string targetFramework, IReadOnlyList<string> runtimes)
    {
        var (compared, disagrees) = Compare(site, jit, targetFramework, runtimes);
        md.Append("\n---\n");
        if (jit.Verdicts.Length > 0) md.Append("**").Append(RuntimeLine(jit, compared)).Append("**\n\n");
        if (disagrees && compared is not null)
        {
            var ours = SiteRendering.Label(site.Kind);
            md.Append("⚠ **The JIT disagrees.** Our model said `").Append(ours).Append("` for ").Append(targetFramework).Append("; ");
            md.Append(compared.Kind == "heap"
                ? $"the JIT of .NET {compared.Runtime} kept an allocation helper call for it, so every call allocates on the GC heap."
                : $"the JIT of .NET {compared.Runtime} left no allocation helper for it (stack-allocated or removed), so it costs no GC heap object.");
            md.Append(" Our reason was: ").Append(site.Message.Replace("<", "\\<").Replace(">", "\\>")).Append("\n\n");
        }
        foreach (var note in jit.Notes) md.Append("JIT not judged: ").Append(note).Append("\n\n");
        md.Append("_Compiled at full optimization without a profile (TieredCompilation=0, TieredPGO=0)");
        if (site.Category is "delegate" or "enumerator" or "closure")
            md.Append("; at Tier-1 with PGO, guarded devirtualization of delegates and enumerators can change this");
        md.Append("._\n");
    }

    /// <summary>The Explain panel's section: the same facts as data.</summary>
    public static object? Explain(AllocationSite site, SiteJit? jit, string targetFramework, IReadOnlyList<string> runtimes)
    {
        if (jit is null) return null;
        var (compared, disagrees) = Compare(site, jit, targetFramework, runtimes);
        return new
        {
            line = jit.Verdicts.Length > 0 ? RuntimeLine(jit, compared) : null,
            verdicts = jit.Verdicts.Select(v => new { runtime = v.Runtime, kind = v.Kind }).ToArray(),
            disagrees,
            notes = jit.Notes.ToArray(),
        };
    }
}
