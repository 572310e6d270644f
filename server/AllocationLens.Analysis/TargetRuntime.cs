using System.Text.RegularExpressions;

namespace AllocationLens.Analysis;

/// <summary>
/// The runtime whose JIT the verdicts model: the one that runs the code, which is not always the
/// framework it compiles against (a net8.0 or netstandard2.0 library loaded by a .NET 10 app is compiled
/// by .NET 10's JIT). <see cref="Moniker"/> names the runtime as an app's target framework would
/// ("net10.0" is .NET 10, "net48" .NET Framework); which runtime runs a project, and why, is the
/// workspace's decision (ProjectRuntimes) and travels in <see cref="Reason"/>.
/// What each version does is measured: the runtime tier (test/AllocationLens.Runtime.Tests) builds the
/// corpus for net8.0, net9.0, net10.0 and net11.0 and runs it on .NET 8.0.34, 9.0.23, 10.0.12 and 11.0.0.
/// A runtime newer than <see cref="NewestMeasuredMajor"/> is judged as that runtime, and says so.
/// </summary>
public sealed partial record TargetRuntime(string Moniker, int Major, bool IsCore, bool Optimized)
{
    /// <summary>Why this runtime runs the code ("the runtime of `App`, which references this library"); null when nobody said.</summary>
    public string? Reason { get; init; }

    /// <summary>The runtime with the reason it was chosen; the verdicts are the same, only the explanation differs.</summary>
    public TargetRuntime Because(string? reason) => this with { Reason = reason };

    /// <summary>.NET (Core) of this major version, optimized.</summary>
    public static TargetRuntime DotNet(int major) => new(major >= 5 ? $"net{major}.0" : $"netcoreapp{major}.0", major, true, true);

    /// <summary>.NET Framework, whose JIT stack-allocates nothing.</summary>
    public static TargetRuntime Framework { get; } = new("net48", 0, false, true);

    /// <summary>True for .NET Framework (net4x monikers and the like): not .NET (Core), not a .NET Standard placeholder.</summary>
    public bool IsFramework => !IsCore && !Moniker.StartsWith("netstandard", StringComparison.OrdinalIgnoreCase);
    /// <summary>Objects whose JIT size (the object without its header word) exceeds this stay on the heap.</summary>
    public const int StackAllocationLimitBytes = 528;

    public static TargetRuntime Net10 { get; } = new("net10.0", 10, true, true);

    /// <summary>The newest runtime the runtime tier measures (11.0.0). Newer targets are judged as this one.</summary>
    public const int NewestMeasuredMajor = 11;

    /// <summary>The major version whose measured behaviour the verdicts use: the target's, capped at the newest measured.</summary>
    public int JudgedMajor => IsCore ? Math.Min(Major, NewestMeasuredMajor) : 0;

    /// <summary>True when the target is newer than any measured runtime and is judged as <see cref="NewestMeasuredMajor"/>.</summary>
    public bool IsBeyondMeasured => IsCore && Major > NewestMeasuredMajor;

    /// <summary>.NET 9 stack-allocates non-escaping class instances and boxes (measured: .NET 8 does not).</summary>
    public bool StackAllocatesObjects => IsCore && JudgedMajor >= 9 && Optimized;

    /// <summary>.NET 10 adds constant-length arrays, delegates, struct-field tracking and GDV enumerators (measured: .NET 9 does none).</summary>
    public bool StackAllocatesArrays => IsCore && JudgedMajor >= 10 && Optimized;
    public bool StackAllocatesDelegates => IsCore && JudgedMajor >= 10 && Optimized;
    public bool TracksStructFields => IsCore && JudgedMajor >= 10 && Optimized;
    public bool StackAllocatesGuardedEnumerators => IsCore && JudgedMajor >= 10 && Optimized;

    /// <summary>
    /// Measured on .NET 8 and 9: every optimizing JIT since .NET 8 drops an allocation whose value is never
    /// really used (discarded, only compared with null, only its constant `Length` read, or an object with
    /// no fields, or a box only used as the receiver of a devirtualized call), with or without escape analysis.
    /// </summary>
    public bool RemovesDeadAllocations => IsCore && JudgedMajor >= 8 && Optimized;

    /// <summary>
    /// The inliner of .NET 10 and newer takes callees with loops or a `throw`, and constructors up to a large
    /// budget; measured on .NET 9, a callee with a loop or a throw is not inlined and constructors get the
    /// ordinary budget.
    /// </summary>
    public bool InlinesLoopsThrowsAndLargeConstructors => IsCore && JudgedMajor >= 10;

    /// <summary>
    /// The inliner of .NET 10 and newer takes callees with exception handling: try/finally, `using`, `lock`
    /// and a try whose every catch has a `when` filter. Measured on .NET 9.0.23 (test/runtime/corpus/RealCode.cs,
    /// Case_CalleeWith*): a callee with any of them is not inlined, so an object passed to it escapes.
    /// </summary>
    public bool InlinesExceptionHandling => IsCore && JudgedMajor >= 10;

    /// <summary>
    /// From .NET 9, LINQ's predicate aggregates (Count, Any, All, First, FirstOrDefault) read an array or a
    /// List&lt;T&gt; as a span; measured on .NET 8, they enumerate it through IEnumerable&lt;T&gt; and allocate its
    /// enumerator inside the call. Library code, so it holds in Debug builds too.
    /// </summary>
    public bool LinqReadsArraysAndListsAsSpans => IsCore && JudgedMajor >= 9;

    /// <summary>
    /// Measured on .NET 11.0.0 (not 10.0.12): a Nullable&lt;T&gt; box and the box of an enum passed to
    /// Enum.Equals(object) no longer reach the heap when they do not escape.
    /// </summary>
    public bool RemovesNullableAndEnumEqualsBoxes => IsCore && JudgedMajor >= 11 && Optimized;

    /// <summary>
    /// The 528-byte limit is measured from .NET 10 on; .NET 9 stack-allocates non-escaping objects and boxes
    /// over it (measured up to an 808-byte object and a 544-byte box).
    /// </summary>
    public bool LimitsStackAllocationSize => IsCore && JudgedMajor >= 10;

    /// <summary>The measured facts of this target's runtime (RuntimeFacts/net*.facts), loaded once per runtime.</summary>
    internal FrameworkFacts Facts => FrameworkFacts.For(this);

    /// <summary>"`.NET 10` (the runtime of `App`, which references this library), optimized (Release, Tier-1)": what a hover says was judged.</summary>
    public string Description => $"{DisplayName}{(Reason is { Length: > 0 } reason ? $" ({reason})" : "")}, {(Optimized ? "optimized (Release, Tier-1)" : "unoptimized (Debug)")}"
        + (IsBeyondMeasured ? $"; judged as .NET {NewestMeasuredMajor}, the newest runtime measured" : "");

    /// <summary>The runtime as users name it: ".NET 10", ".NET 12" (even when judged as the newest measured), ".NET Framework".</summary>
    public string DisplayName => IsCore ? (Major >= 5 ? $".NET {Major}" : $".NET Core {Major}") : Name;

    /// <summary>The runtime whose measured behaviour the verdicts use: ".NET 10", ".NET 11" for anything newer, ".NET Framework".</summary>
    public string Name => IsCore ? (JudgedMajor >= 5 ? $".NET {JudgedMajor}" : $".NET Core {Major}") : Moniker.StartsWith("netstandard", StringComparison.Ordinal) ? "a .NET Standard host" : ".NET Framework";

    [GeneratedRegex(@"^net(?:coreapp)?(?<major>\d+)\.(?<minor>\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex CoreMoniker();

    /// <summary>
    /// The runtime an app targeting this moniker runs on: net10.0, net8.0-windows, netcoreapp3.1 are
    /// .NET (Core); net48 is .NET Framework. netstandard2.0 names no runtime at all and models no stack
    /// allocation (the conservative answer); the workspace never judges a project for it, it asks
    /// ProjectRuntimes which runtime loads the library.
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
