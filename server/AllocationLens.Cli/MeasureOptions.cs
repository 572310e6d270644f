namespace AllocationLens.Cli;

/// <summary>
/// Arguments of `allocation-lens measure [PATH] [options] [-- COMMAND...]`: the path analysed and whose
/// tests run, how the report is written, the static runtime choice (as `analyze --runtime`), the build
/// configuration, the run's time limit, and the command to run instead of `dotnet test` (everything after `--`).
/// </summary>
public sealed record MeasureOptions(string Path, string Format, IReadOnlyList<string> Runtimes, string Configuration, TimeSpan Timeout, IReadOnlyList<string> Command)
{
    /// <summary>Variables set for the measured run's processes besides the inherited environment (the editor's and the tests' settings).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Which tests `dotnet test` runs (its `--filter` expression), or null for all; not used with a command after `--`.</summary>
    public string? TestFilter { get; init; }

    /// <summary>Verify the sites with the JIT too, as `analyze --verify` does (the differential harness's three legs); off on the command line.</summary>
    public bool Verify { get; init; }

    /// <summary>A folder the run's .nettrace files are copied to (ALLOCATION_LENS_KEEP_TRACES), or null to keep none.</summary>
    public string? KeepTracesIn { get; init; } = System.Environment.GetEnvironmentVariable("ALLOCATION_LENS_KEEP_TRACES") is { Length: > 0 } keep ? keep : null;

    /// <summary>The analysis half: the same options `analyze PATH --format F --runtime R` would get.</summary>
    public AnalyzeOptions Analyze => new(Path, Format, null, Verify: Verify, RuntimeFilter: Runtimes);

    /// <summary>
    /// Splits `measure` arguments at the first `--`: the parser sees what precedes it, and what follows is
    /// the command to run, verbatim (its own options must never be read as ours).
    /// </summary>
    public static (string[] Ours, string[] Command) SplitCommand(string[] args)
    {
        if (args.Length == 0 || args[0] != "measure") return (args, []);
        int dashes = Array.IndexOf(args, "--");
        return dashes < 0 ? (args, []) : (args[..dashes], args[(dashes + 1)..]);
    }

    /// <summary>Parses `measure`'s arguments (after the word `measure`, before any `--`) with the command line's definition.</summary>
    public static bool TryParse(ReadOnlySpan<string> args, IReadOnlyList<string> command, out MeasureOptions options, out string error)
    {
        var parse = CommandLine.MeasureCommandDefinition().Parse(args.ToArray());
        if (parse.Errors.Count > 0)
        {
            options = null!;
            error = string.Join("; ", parse.Errors.Select(e => e.Message));
            return false;
        }
        options = From(parse, command);
        error = "";
        return true;
    }

    public static MeasureOptions From(System.CommandLine.ParseResult parse, IReadOnlyList<string> command) => new(
        parse.GetValue(CommandLine.MeasurePathArgument) ?? ".",
        parse.GetValue(CommandLine.Format) ?? "text",
        parse.GetValue(CommandLine.Runtime) ?? [],
        parse.GetValue(CommandLine.Configuration) ?? "Release",
        TimeSpan.FromSeconds(parse.GetValue(CommandLine.Timeout)),
        command)
    {
        TestFilter = parse.GetValue(CommandLine.TestFilter) is { Length: > 0 } filter ? filter : null,
    };
}
