namespace AllocationLens.Cli;

/// <summary>Arguments of `allocation-lens analyze`.</summary>
public sealed record AnalyzeOptions(string Path, string Format, string? Target, bool Verify = false, IReadOnlyList<string>? RuntimeFilter = null)
{
    /// <summary>The `--runtime` values: version prefixes of the runtimes to verify on (none: all that can run the build).</summary>
    public IReadOnlyList<string> Runtimes => RuntimeFilter ?? [];

    public static bool TryParse(ReadOnlySpan<string> args, out AnalyzeOptions options, out string error)
    {
        options = null!;
        error = "";
        string? path = null, format = "text", target = null;
        bool verify = false;
        var runtimes = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--format" when i + 1 < args.Length:
                    format = args[++i];
                    if (format is not ("text" or "json")) { error = $"--format must be text or json, not '{format}'"; return false; }
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
                case "--format" or "--target" or "--runtime":
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
        options = new AnalyzeOptions(path, format, target, verify, runtimes);
        return true;
    }
}
