namespace AllocationLens.Verification;

/// <summary>One Microsoft.NETCore.App a `dotnet` host can run the JIT host on.</summary>
public sealed record InstalledRuntime(Version Version, string VersionText, string DotnetRoot)
{
    public string Dotnet => Path.Combine(DotnetRoot, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
    public override string ToString() => $".NET {VersionText}";
}

/// <summary>
/// The runtimes verification can use: those of the `dotnet` on PATH, plus the runtime packs
/// scripts/runtimes.sh lays out (ALLOCATION_LENS_RUNTIMES, default ~/.cache/allocation-lens/runtimes).
/// A build for netX.0 runs on runtime X and, rolled forward, on every newer major. The same folders
/// `dotnet --list-runtimes` reports, read directly (no process per request).
/// </summary>
public static class InstalledRuntimes
{
    public static string CacheRoot => Environment.GetEnvironmentVariable("ALLOCATION_LENS_RUNTIMES") is { Length: > 0 } r
        ? r : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "allocation-lens", "runtimes");

    /// <summary>Every runtime found, newest first; the PATH's `dotnet` wins over a laid-out copy of the same version.</summary>
    public static IReadOnlyList<InstalledRuntime> Discover()
    {
        var found = new Dictionary<string, InstalledRuntime>(StringComparer.Ordinal);
        foreach (var root in Roots())
        {
            var shared = Path.Combine(root, "shared", "Microsoft.NETCore.App");
            if (!Directory.Exists(shared)) continue;
            foreach (var dir in Directory.EnumerateDirectories(shared))
            {
                var text = Path.GetFileName(dir);
                if (!File.Exists(Path.Combine(dir, "System.Private.CoreLib.dll"))) continue;
                if (!Version.TryParse(text.Split('-')[0], out var version)) continue;
                found.TryAdd(text, new InstalledRuntime(version, text, root));
            }
        }
        return found.Values.OrderByDescending(r => r.Version).ToList();
    }

    /// <summary>
    /// The runtimes a build for <paramref name="targetMajor"/> runs on, filtered by the user's
    /// `--runtime` prefixes ("9", "10.0", "10.0.12"); all eligible ones when none are given.
    /// </summary>
    public static IReadOnlyList<InstalledRuntime> For(int targetMajor, IReadOnlyCollection<string> requested, IReadOnlyList<InstalledRuntime> installed) =>
        installed.Where(r => r.Version.Major >= targetMajor)
            .Where(r => requested.Count == 0 || requested.Any(q => r.VersionText == q || r.VersionText.StartsWith(q + ".", StringComparison.Ordinal)))
            .ToList();

    private static IEnumerable<string> Roots()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } dotnetRoot) yield return dotnetRoot;
        if (FindOnPath(OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet") is { } exe) yield return Path.GetDirectoryName(ResolveLinks(exe))!;
        if (File.Exists(Path.Combine(CacheRoot, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet"))) yield return CacheRoot;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static string ResolveLinks(string path)
    {
        var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
        return target?.FullName ?? path;
    }
}
