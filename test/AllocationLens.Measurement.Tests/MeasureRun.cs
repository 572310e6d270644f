using AllocationLens.Cli;
using AllocationLens.Workspace;
using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>Runs `allocation-lens measure` in process, on test/projects/MeasureFixture by default.</summary>
internal static class MeasureRun
{
    public static readonly string Root = FindRoot();
    public static readonly string Fixture = Path.Combine(Root, "test", "projects", "MeasureFixture");

    /// <summary>Where the fixture's tests write the volumes the runtime counted (one file per workload).</summary>
    public static string ExpectedFolder => Path.Combine(Fixture, "bin", "Release", "net10.0", "measure-expected");

    private static string FindRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found");
    }

    public static async Task<(int Code, string Out, string Err)> Measure(string[] args, string[]? command = null, Dictionary<string, string>? environment = null, CancellationToken cancellationToken = default, string? keepTracesIn = null)
    {
        Assert.Null(MsBuildRegistration.EnsureRegistered());
        Assert.True(MeasureOptions.TryParse(args, command ?? [], out var options, out var error), error);
        if (environment is not null) options = options with { Environment = environment };
        if (keepTracesIn is not null) options = options with { KeepTracesIn = keepTracesIn };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await MeasureCommand.RunAsync(options, null, stdout, stderr, cancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Command lines of the processes whose command line names a folder (Linux /proc; elsewhere none are found).</summary>
    public static List<string> ProcessesNaming(string folder)
    {
        var found = new List<string>();
        if (!OperatingSystem.IsLinux()) return found;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(folder, StringComparison.Ordinal)) found.Add($"{pid}: {commandLine}");
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>The 1-based lines of the fixture's Workloads.cs marked `// measure: NAME`.</summary>
    public static Dictionary<string, int> MarkedLines()
    {
        var lines = File.ReadAllLines(Path.Combine(Fixture, "Workloads.cs"));
        var marked = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < lines.Length; i++)
        {
            int at = lines[i].IndexOf("// measure: ", StringComparison.Ordinal);
            if (at >= 0) marked[lines[i][(at + "// measure: ".Length)..].Trim()] = i + 1;
        }
        return marked;
    }
}

/// <summary>The tests that run the fixture share it (its build folder): one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class FixtureCollection
{
    public const string Name = "MeasureFixture runs";
}
