using AllocationLens.Analysis;

namespace AllocationLens.Workspace;

/// <summary>
/// The runtimes that run code the workspace says nothing about: a library no app in the workspace
/// references, or a file on its own. The user's choice (`--runtime`, `allocationLens.runtime`), else
/// the newest .NET runtime installed. Newest first; the first is the one hints are judged for.
/// </summary>
public sealed record RuntimeChoice(IReadOnlyList<TargetRuntime> Runtimes, string Source)
{
    /// <summary>The runtime hints are judged for when nothing else decides.</summary>
    public TargetRuntime Newest => Runtimes[0];

    /// <summary>The newest .NET runtime installed for the `dotnet` this process runs on (.NET 10 when none can be read).</summary>
    public static RuntimeChoice NewestInstalled(IReadOnlyList<Version>? installed = null)
    {
        installed ??= InstalledDotnetRuntimes.Versions();
        if (installed.Count == 0) return new([TargetRuntime.Net10], "no installed .NET runtime could be read; .NET 10 assumed");
        var newest = installed.Max()!;
        return new([TargetRuntime.DotNet(newest.Major)], $"the newest .NET runtime installed ({newest})");
    }

    /// <summary>
    /// The user's runtimes: "10", "10.0", "10.0.12", "net10.0" name .NET 10; "framework", "netfx" and
    /// "net48" (any net4x) name .NET Framework. Null with an error sentence when a value names none.
    /// Empty values: the newest runtime installed.
    /// </summary>
    public static RuntimeChoice Parse(IEnumerable<string> values, string source, out string? error, IReadOnlyList<Version>? installed = null)
    {
        error = null;
        var runtimes = new List<TargetRuntime>();
        foreach (var raw in values)
        {
            var value = raw.Trim();
            if (value.Length == 0) continue;
            if (TryParseOne(value) is { } runtime) { if (!runtimes.Any(r => r.Moniker == runtime.Moniker)) runtimes.Add(runtime); }
            else { error = $"{value}: names no runtime (use a version such as 10.0 or 10.0.12, or framework)"; }
        }
        if (runtimes.Count == 0) return NewestInstalled(installed);
        // Newest first; .NET Framework last (it is the oldest JIT).
        return new(runtimes.OrderByDescending(r => r.IsCore).ThenByDescending(r => r.Major).ToList(), source);
    }

    public static TargetRuntime? TryParseOne(string value)
    {
        var v = value.Trim().ToLowerInvariant();
        if (v is "framework" or "netfx" or "netframework" or ".net framework") return TargetRuntime.Framework;
        if (v.StartsWith("net4", StringComparison.Ordinal) && !v.Contains('.')) return TargetRuntime.Framework;
        if (v.StartsWith("net", StringComparison.Ordinal) && !v.StartsWith("netstandard", StringComparison.Ordinal))
            return TargetRuntime.Parse(v) is { IsCore: true, Major: >= 5 } core ? TargetRuntime.DotNet(core.Major) : null;
        var first = v.Split('.', '-')[0];
        return int.TryParse(first, out int major) && major is >= 5 and < 100 ? TargetRuntime.DotNet(major) : null;
    }
}
