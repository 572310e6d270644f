using System.Diagnostics;

namespace AllocationLens.Runtime.Tests;

/// <summary>One runtime the tier measures on: the target framework it stands for and the exact version laid out.</summary>
public sealed record RuntimeTarget(string Tfm, int Major, string Version, string FrameworkDirectory)
{
    public override string ToString() => $"{Tfm} on {Version}";
}

/// <summary>
/// The runtimes of the tier: .NET 8, 9, 10 and 11, laid out by scripts/runtimes.sh as one dotnet root
/// outside the checkout. The tests call the script themselves (it is idempotent and returns at once when
/// everything is cached), so `dotnet test` in a fresh clone measures on all four.
/// </summary>
public static class RuntimeTargets
{
    /// <summary>The majors the issue asks for. A missing one is a failure, never a silent skip.</summary>
    public static readonly int[] Majors = [8, 9, 10, 11];

    private static readonly Lazy<(string Root, IReadOnlyList<RuntimeTarget> Targets)> Layout = new(LayOut);

    public static string DotnetRoot => Layout.Value.Root;
    public static IReadOnlyList<RuntimeTarget> All => Layout.Value.Targets;
    public static RuntimeTarget Get(string tfm) => All.Single(t => t.Tfm == tfm);

    public static string RepositoryRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found above " + AppContext.BaseDirectory);
    }

    private static (string, IReadOnlyList<RuntimeTarget>) LayOut()
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "runtimes.sh");
        var psi = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(15))) { p.Kill(true); throw new TimeoutException("scripts/runtimes.sh took over 15 minutes"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"scripts/runtimes.sh failed ({p.ExitCode}):\n{stderr.Result}");
        string root = stdout.TrimEnd().Split('\n')[^1].Trim();

        var shared = Path.Combine(root, "shared", "Microsoft.NETCore.App");
        var targets = new List<RuntimeTarget>();
        foreach (int major in Majors)
        {
            // The newest laid-out version of that major (the script lays out exactly one per major).
            var version = Directory.Exists(shared)
                ? Directory.GetDirectories(shared).Select(Path.GetFileName)
                    .Where(v => v!.StartsWith(major + ".", StringComparison.Ordinal) && System.Version.TryParse(v.Split('-')[0], out _))
                    .OrderByDescending(v => System.Version.Parse(v!.Split('-')[0])).FirstOrDefault()
                : null;
            if (version is null) throw new InvalidOperationException($"scripts/runtimes.sh laid out no .NET {major} under {shared}");
            targets.Add(new RuntimeTarget($"net{major}.0", major, version, Path.Combine(shared, version)));
        }
        return (root, targets);
    }
}
