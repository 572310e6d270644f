using System.Text.RegularExpressions;

namespace AllocationLens.Analysis;

/// <summary>
/// The runtime whose JIT the verdicts model, read from a project's target framework.
/// What each version stack-allocates comes from dotnet/runtime's objectalloc.cpp and the release notes,
/// and is checked against the installed runtime by the runtime-verification tests.
/// </summary>
public sealed partial record TargetRuntime(string Moniker, int Major, bool IsCore, bool Optimized)
{
    /// <summary>Objects whose JIT size (the object without its header word) exceeds this stay on the heap.</summary>
    public const int StackAllocationLimitBytes = 528;

    public static TargetRuntime Net10 { get; } = new("net10.0", 10, true, true);

    /// <summary>.NET 9 stack-allocates non-escaping class instances and boxes.</summary>
    public bool StackAllocatesObjects => IsCore && Major >= 9 && Optimized;

    /// <summary>.NET 10 adds constant-length arrays, delegates, struct-field tracking and GDV enumerators.</summary>
    public bool StackAllocatesArrays => IsCore && Major >= 10 && Optimized;
    public bool StackAllocatesDelegates => IsCore && Major >= 10 && Optimized;
    public bool TracksStructFields => IsCore && Major >= 10 && Optimized;
    public bool StackAllocatesGuardedEnumerators => IsCore && Major >= 10 && Optimized;

    public string Description => $"{Moniker}, {(Optimized ? "optimized (Release, Tier-1)" : "unoptimized (Debug)")}";

    public string Name => IsCore ? (Major >= 5 ? $".NET {Major}" : $".NET Core {Major}") : Moniker.StartsWith("netstandard", StringComparison.Ordinal) ? "a .NET Standard host" : ".NET Framework";

    [GeneratedRegex(@"^net(?:coreapp)?(?<major>\d+)\.(?<minor>\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex CoreMoniker();

    /// <summary>
    /// Parses a target framework moniker: net10.0, net8.0-windows, netcoreapp3.1 are .NET (Core);
    /// net48 and netstandard2.0 model no stack allocation at all (the conservative answer).
    /// </summary>
    public static TargetRuntime Parse(string? moniker, bool optimized = true)
    {
        moniker = string.IsNullOrWhiteSpace(moniker) ? "net10.0" : moniker.Trim();
        var m = CoreMoniker().Match(moniker);
        if (m.Success && int.TryParse(m.Groups["major"].Value, out int major))
            return new TargetRuntime(moniker, major, true, optimized);
        return new TargetRuntime(moniker, 0, false, optimized);
    }
}
