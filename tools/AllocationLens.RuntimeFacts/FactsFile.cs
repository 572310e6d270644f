namespace AllocationLens.RuntimeFacts;

/// <summary>
/// The checked-in table format, read by the engine's RuntimeFacts/FrameworkFacts.cs: tab-separated lines,
/// `#` comments; sections in a fixed order (local/escapes, call, size), each sorted, so a regeneration
/// diffs line by line.
/// </summary>
public static class FactsFile
{
    public static string Write(string runtimeVersion, IEnumerable<string> probeOutput, IEnumerable<string> inliningFacts)
    {
        var text = new System.Text.StringBuilder();
        text.Append("# Facts about .NET ").Append(runtimeVersion).Append(", measured on that runtime by tools/AllocationLens.RuntimeFacts.\n");
        text.Append("# Do not edit: regenerate with scripts/runtime-facts.sh. Format: docs/architecture.md, \"Runtime facts\".\n");
        text.Append("runtime\t").Append(runtimeVersion).Append('\n');
        foreach (var line in inliningFacts) text.Append(line).Append('\n');
        var output = probeOutput.ToList();
        foreach (var line in output.Where(l => l.StartsWith("call\t", StringComparison.Ordinal)).Order(StringComparer.Ordinal)) text.Append(line).Append('\n');
        foreach (var line in output.Where(l => l.StartsWith("size\t", StringComparison.Ordinal)).Order(StringComparer.Ordinal)) text.Append(line).Append('\n');
        return text.ToString();
    }
}
