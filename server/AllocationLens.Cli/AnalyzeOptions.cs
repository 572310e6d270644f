namespace AllocationLens.Cli;

/// <summary>Arguments of `allocation-lens analyze`.</summary>
public sealed record AnalyzeOptions(string Path, string Format, string? Target, bool Verify = false, IReadOnlyList<string>? RuntimeFilter = null, IReadOnlyList<string>? FailOnKinds = null)
{
    /// <summary>The `--runtime` values: version prefixes of the runtimes to verify on (none: all that can run the build).</summary>
    public IReadOnlyList<string> Runtimes => RuntimeFilter ?? [];

    /// <summary>The `--fail-on` values: budget, heap, boxed (exit code 3 when met).</summary>
    public IReadOnlyList<string> FailOn => FailOnKinds ?? [];

    public static bool TryParse(ReadOnlySpan<string> args, out AnalyzeOptions options, out string error)
    {
        options = null!;
        error = "";
        string? path = null, format = "text", target = null;
        bool verify = false;
        var runtimes = new List<string>();
        var failOn = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--format" when i + 1 < args.Length:
                    format = args[++i];
                    if (format is not ("text" or "json" or "sarif")) { error = $"--format must be text, json or sarif, not '{format}'"; return false; }
                    break;
                case "--target" when i + 1 < args.Length:
                    target = args[++i];
                    break;
                case "--verify":
                    verify = true;
                    break;
                case "--runtime" when i + 1 < args.Length:
                    runtimes.Add(args[++i]);
                    break;
                case "--fail-on" when i + 1 < args.Length:
                    var kind = args[++i];
                    if (kind is not ("budget" or "heap" or "boxed")) { error = $"--fail-on must be budget, heap or boxed, not '{kind}'"; return false; }
                    failOn.Add(kind);
                    break;
                case "--format" or "--target" or "--runtime" or "--fail-on":
                    error = $"{args[i]} needs a value";
                    return false;
                default:
                    if (args[i].StartsWith("--", StringComparison.Ordinal)) { error = $"unknown option '{args[i]}'"; return false; }
                    if (path is not null) { error = "analyze takes one path"; return false; }
                    path = args[i];
                    break;
            }
        }
        if (path is null) { error = "analyze needs a path"; return false; }
        if (runtimes.Count > 0 && !verify) { error = "--runtime needs --verify"; return false; }
        options = new AnalyzeOptions(path, format, target, verify, runtimes, failOn);
        return true;
    }
}
