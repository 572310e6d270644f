using AllocationLens.Workspace;

namespace AllocationLens.Cli;

/// <summary>Arguments of `allocation-lens analyze`.</summary>
public sealed record AnalyzeOptions(string Path, string Format, string? Target, bool Verify = false, IReadOnlyList<string>? RuntimeFilter = null, IReadOnlyList<string>? FailOnKinds = null)
{
    /// <summary>The `--runtime` values: version prefixes of the runtimes to verify on (none: all that can run the build).</summary>
    public IReadOnlyList<string> Runtimes => RuntimeFilter ?? [];

    /// <summary>
    /// `--runtime` for static verdicts: the runtime(s) that run code no app of the workspace runs (a
    /// library nobody references, loose files); none given: the newest .NET runtime installed. The same
    /// values choose the runtimes `--verify` runs on, so both judges judge for the same runtime.
    /// </summary>
    public RuntimeChoice RuntimeChoice => _runtimeChoice ??= RuntimeChoice.Parse(Runtimes, $"chosen with --runtime {string.Join(" --runtime ", Runtimes)}", out _);
    private RuntimeChoice? _runtimeChoice;

    /// <summary>
    /// The `--runtime` values as `--verify` matches installed runtimes (version prefixes): "net10.0" is
    /// "10.0"; .NET Framework has no JIT listing here and is left out.
    /// </summary>
    public IReadOnlyList<string> VerifyRuntimes => Runtimes
        .Select(v => v.Trim().ToLowerInvariant())
        .Select(v => v.StartsWith("net", StringComparison.Ordinal) && v.Length > 3 && char.IsDigit(v[3]) && v.Contains('.') ? v[3..] : v)
        .Where(v => v.Length > 0 && char.IsDigit(v[0]))
        .ToList();

    /// <summary>Where progress goes; null: the terminal, when stderr is one (<see cref="TerminalProgress.For"/>).</summary>
    public TerminalProgress? Progress { get; init; }

    /// <summary>
    /// Judge the project's files ad hoc on the idle core while MSBuild loads, throwing the verdicts away,
    /// so the real binding runs warm (<see cref="LoadTimeWarmUp"/>). On unless ALLOCATION_LENS_NO_WARMUP is set
    /// (the bench compares both); it never changes the report.
    /// </summary>
    public bool WarmUp { get; init; } = Environment.GetEnvironmentVariable("ALLOCATION_LENS_NO_WARMUP") is not { Length: > 0 };

    /// <summary>
    /// Load projects with MSBuild in this process (InProcessProjectLoader), which falls back to
    /// MSBuildWorkspace's build host whenever it declines. On unless ALLOCATION_LENS_BUILD_HOST is set,
    /// which always uses the build host (bench `build-ratio` measures both).
    /// </summary>
    public bool InProcessLoad { get; init; } = Environment.GetEnvironmentVariable("ALLOCATION_LENS_BUILD_HOST") is not { Length: > 0 };

    /// <summary>
    /// Where the in-process load keeps design-time results between runs (DesignTimeCache: the user's
    /// cache folder; ALLOCATION_LENS_NO_DESIGN_TIME_CACHE=1 turns it off), or null.
    /// </summary>
    public DesignTimeCache? DesignTimeCache { get; init; } = DesignTimeCache.Default();

    /// <summary>
    /// `--count-cold`: budgets and `--fail-on` count sites that are cold by construction (throws, catch blocks,
    /// static initializers) too; by default they are left out.
    /// </summary>
    public bool CountCold { get; init; }

    /// <summary>The `--fail-on` values: budget, heap, boxed (exit code 3 when met).</summary>
    public IReadOnlyList<string> FailOn => FailOnKinds ?? [];

    /// <summary>Parses `analyze`'s arguments (after the word `analyze`) with the same definition the command line uses.</summary>
    public static bool TryParse(ReadOnlySpan<string> args, out AnalyzeOptions options, out string error)
    {
        var parse = CommandLine.AnalyzeCommandDefinition().Parse(args.ToArray());
        if (parse.Errors.Count > 0)
        {
            options = null!;
            error = string.Join("; ", parse.Errors.Select(e => e.Message));
            return false;
        }
        options = From(parse);
        error = "";
        return true;
    }

    public static AnalyzeOptions From(System.CommandLine.ParseResult parse) => new(
        parse.GetValue(CommandLine.PathArgument)!,
        parse.GetValue(CommandLine.Format) ?? "text",
        parse.GetValue(CommandLine.Target),
        parse.GetValue(CommandLine.Verify),
        parse.GetValue(CommandLine.Runtime) ?? [],
        parse.GetValue(CommandLine.FailOn) ?? [])
    {
        CountCold = parse.GetValue(CommandLine.CountCold),
    };
}
