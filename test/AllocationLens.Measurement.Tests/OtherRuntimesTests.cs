using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>
/// `measure PATH -- COMMAND` on the runtimes of scripts/runtimes.sh: test/projects/MeasureConsole runs
/// MeasureFixture's workloads as a net8.0 program on .NET 8 (AllocationTick: no randomized sampling there)
/// and on .NET 11 (AllocationSampled). Each workload counts its own bytes with the runtime, as in the
/// fixture's tests; the measured bytes on its line must be within ±25% of that.
/// </summary>
[Collection(FixtureCollection.Name)]
public sealed class OtherRuntimesTests
{
    private static readonly string Console = Path.Combine(MeasureRun.Root, "test", "projects", "MeasureConsole");

    [Theory]
    [InlineData("8.", "AllocationTick")]
    [InlineData("11.", "AllocationSampled")]
    public async Task The_workloads_measure_within_a_quarter_on_each_runtime(string major, string source)
    {
        var root = await LayOutRuntimes();
        var version = Directory.GetDirectories(Path.Combine(root, "shared", "Microsoft.NETCore.App")).Select(Path.GetFileName)
            .Single(v => v!.StartsWith(major, StringComparison.Ordinal))!;
        Assert.Equal(0, await Run(new ProcessStartInfo("dotnet", ["build", Console, "-c", "Release", "-nologo", "-v", "quiet"])));
        var dll = Path.Combine(Console, "bin", "Release", "net8.0", "MeasureConsole.dll");
        var expectedFolder = Path.Combine(Console, "bin", "Release", "net8.0", "measure-expected");
        if (Directory.Exists(expectedFolder)) Directory.Delete(expectedFolder, recursive: true);

        var (code, output, err) = await MeasureRun.Measure([Console, "--format", "json"], [Path.Combine(root, "dotnet"), "exec", "--fx-version", version, dll],
            new() { ["DOTNET_ROOT"] = root });
        Assert.True(code == 0, err);
        Assert.Contains($"done on .NET {version}", err);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.Equal([source], report.GetProperty("measurement").GetProperty("sources").EnumerateArray().Select(s => s.GetString()!).ToArray());
        var sites = report.GetProperty("sites").EnumerateArray().Where(s => s.GetProperty("path").GetString()!.EndsWith("MeasureFixture/Workloads.cs", StringComparison.Ordinal)).ToList();
        foreach (var (workload, line) in MeasureRun.MarkedLines())
        {
            var file = Path.Combine(expectedFolder, workload + ".txt");
            if (!File.Exists(file)) continue;
            long expected = long.Parse(File.ReadAllText(file).Split(' ')[0], CultureInfo.InvariantCulture);
            long measured = sites.Where(s => s.GetProperty("line").GetInt32() == line)
                .Sum(s => s.TryGetProperty("measured", out var m) ? m.GetProperty("bytes").GetInt64() : 0);
            if (expected == 0) { Assert.Equal(0, measured); continue; }
            Assert.True(Math.Abs(measured - expected) <= expected / 4, $".NET {version} {workload}: measured {measured} bytes, the runtime counted {expected}");
        }
    }

    /// <summary>scripts/runtimes.sh (idempotent; prints its root last).</summary>
    private static async Task<string> LayOutRuntimes()
    {
        var start = new ProcessStartInfo("bash", [Path.Combine(MeasureRun.Root, "scripts", "runtimes.sh")]) { RedirectStandardOutput = true };
        var output = new List<string>();
        Assert.Equal(0, await Run(start, output));
        return output.Last(l => l.Trim().Length > 0).Trim();
    }

    private static async Task<int> Run(ProcessStartInfo start, List<string>? output = null)
    {
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(15));
        await process.WaitForExitAsync(limit.Token);
        output?.AddRange((await stdout).Split('\n'));
        await stderr;
        return process.ExitCode;
    }
}
