using AllocationLens.Analysis;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;

namespace AllocationLens.Cli;

/// <summary>
/// One project target (or one set of loose files) that `analyze` judged: its sites in the results
/// (<see cref="Start"/>..<see cref="End"/>), judged for <see cref="Runtime"/>; what `--verify` builds; the
/// trees budgets are checked on; and, for a library more than one runtime runs, the same trees judged
/// for each other runtime in play (<see cref="OtherRuntimeSites"/>), which the report lists where they differ.
/// </summary>
public sealed record AnalyzedGroup(string? ProjectPath, IReadOnlyList<string> LooseFiles, string TargetFramework, int Start, int End,
    Compilation Compilation, IReadOnlyList<SyntaxTree> Trees)
{
    /// <summary>The runtime whose JIT runs this target, with its reason.</summary>
    public TargetRuntime Runtime { get; init; } = TargetRuntime.Net10;

    /// <summary>Why <see cref="Runtime"/> was chosen: orders a project's targets, the primary one first.</summary>
    public RuntimeOrigin Origin { get; init; } = RuntimeOrigin.Chosen;

    /// <summary>The sites of the same trees on each other runtime in play (another app loads this library).</summary>
    public IReadOnlyList<(TargetRuntime Runtime, IReadOnlyList<AllocationSite> Sites)> OtherRuntimeSites { get; init; } = [];
}

/// <summary>One site as `analyze` judged it: for which compile target, and for which runtime.</summary>
public sealed record JudgedSite(AllocationSite Site, string Target, TargetRuntime Runtime);
