using Microsoft.CodeAnalysis;

namespace AllocationLens.Cli;

/// <summary>
/// One project (or one set of loose files) that `analyze` judged: its sites in the results
/// (<see cref="Start"/>..<see cref="End"/>), what `--verify` builds, and the trees budgets are checked on.
/// </summary>
public sealed record AnalyzedGroup(string? ProjectPath, IReadOnlyList<string> LooseFiles, string TargetFramework, int Start, int End,
    Compilation Compilation, IReadOnlyList<SyntaxTree> Trees);
