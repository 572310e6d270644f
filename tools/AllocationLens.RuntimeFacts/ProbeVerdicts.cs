using AllocationLens.Verification;

namespace AllocationLens.RuntimeFacts;

/// <summary>One inlining probe: the members it hands its object to, and what became of the object.</summary>
public sealed record ProbeResult(string Name, long MethodTable, IReadOnlyList<string> Members, long? SteadyBytes, string Unprofiled);

/// <summary>
/// Turns the probe's `probe` and `steady` lines and the JIT's listing into `local`/`escapes` facts.
/// A probe whose object allocated nothing per call in steady state (Tier-1 with Dynamic PGO, the way the
/// runtime tier measures) proves each member it names keeps the object local on this runtime; a member
/// that no such probe proves is `escapes`. The listing of the unprofiled JIT (DOTNET_TieredPGO=0, what
/// "Verify with JIT" sees) is recorded beside each fact: `stack` when the allocation helper of the probe's
/// method table is gone from its code, `heap` when it is kept, `unknown` when the listing does not say.
/// </summary>
public static class ProbeVerdicts
{
    public static List<ProbeResult> Read(IEnumerable<string> probeLines, IEnumerable<string> steadyLines, IReadOnlyList<ListedMethod> listing)
    {
        var steady = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in steadyLines)
        {
            var f = line.Split('\t');
            if (f is ["steady", var name, var bytes]) steady[name] = long.Parse(bytes);
        }
        var results = new List<ProbeResult>();
        foreach (var line in probeLines)
        {
            var f = line.Split('\t');
            if (f is not ["probe", var name, var mt, var members]) continue;
            long table = long.Parse(mt);
            var listed = listing.LastOrDefault(m => m.MethodName == name);
            string unprofiled = listed is null ? "unknown"
                : listed.Allocations.Any(a => a.MethodTable == table) ? "heap"
                : listed.Allocations.Any(a => a.MethodTable is null) ? "unknown"
                : "stack";
            results.Add(new ProbeResult(name, table, members.Split(' ', StringSplitOptions.RemoveEmptyEntries), steady.TryGetValue(name, out var b) ? b : null, unprofiled));
        }
        return results;
    }

    /// <summary>"local KEY ORDINAL PROBE UNPROFILED" or "escapes KEY ORDINAL PROBES", one per member, sorted.</summary>
    public static IEnumerable<string> Facts(IReadOnlyList<ProbeResult> probes)
    {
        var members = probes.SelectMany(p => p.Members).Distinct(StringComparer.Ordinal).OrderBy(m => m, StringComparer.Ordinal);
        foreach (var member in members)
        {
            int colon = member.LastIndexOf(':');
            string key = member[..colon], ordinal = member[(colon + 1)..];
            var proving = probes.FirstOrDefault(p => p.SteadyBytes == 0 && p.Members.Contains(member));
            if (proving is not null)
                yield return $"local\t{key}\t{ordinal}\t{proving.Name}\t{Unprofiled(probes, member)}";
            else
                yield return $"escapes\t{key}\t{ordinal}\t{string.Join(",", probes.Where(p => p.Members.Contains(member)).Select(p => $"{p.Name}={p.SteadyBytes?.ToString() ?? "?"}B"))}";
        }
    }

    /// <summary>stack when some probe of the member kept no helper in unprofiled code, else what they said.</summary>
    private static string Unprofiled(IReadOnlyList<ProbeResult> probes, string member)
    {
        var verdicts = probes.Where(p => p.Members.Contains(member)).Select(p => p.Unprofiled).ToList();
        return verdicts.Contains("stack") ? "stack" : verdicts.Contains("heap") ? "heap" : "unknown";
    }
}
