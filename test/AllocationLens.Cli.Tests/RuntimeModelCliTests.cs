using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>
/// `analyze` judges each project for the runtime that runs it, reports a multi-targeted project's sites
/// once, and names an unsatisfiable global.json without polluting stdout (test/projects/LibraryRuntimes, PinnedSdk).
/// </summary>
public sealed class RuntimeModelCliTests
{
    private static string Fixture(params string[] parts) => Path.Combine([CliRun.Root, "test", "projects", .. parts]);
    private static readonly string MultiLib = Fixture("LibraryRuntimes", "MultiLib", "MultiLib.csproj");

    [Fact]
    public async Task A_multi_targeted_project_prints_each_site_once_with_the_runtimes_whose_verdicts_differ()
    {
        var (code, output, _) = await CliRun.Analyze(MultiLib, "--runtime", "10.0");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // Four sites in Points.cs, three targets: four lines, not eleven.
        Assert.Equal(4, lines.Count(l => l.Contains("Points.cs:", StringComparison.Ordinal)));
        int local = Array.FindIndex(lines, l => l.Contains("Points.cs:16:17: stack: new Point(x)", StringComparison.Ordinal));
        Assert.True(local >= 0, output);
        Assert.Equal("    runtimes: stack on .NET 10; heap on .NET 8 (net8.0); heap on .NET Framework (netstandard2.0)", lines[local + 1]);
        // Heap everywhere: no runtimes line.
        int keep = Array.FindIndex(lines, l => l.Contains("Points.cs:21:46: heap: new Point(x) escapes", StringComparison.Ordinal));
        Assert.False(lines[keep + 1].StartsWith("    runtimes:", StringComparison.Ordinal));
        // Code every target has, where .NET 10 allocates nothing: a "no allocation" verdict, not "only in".
        int enumerator = Array.FindIndex(lines, l => l.Contains("Points.cs:26:26: heap: xs.GetEnumerator()", StringComparison.Ordinal));
        Assert.Equal("    runtimes: no allocation on .NET 10 (net10.0); heap on .NET 8; heap on .NET Framework (netstandard2.0)", lines[enumerator + 1]);
        Assert.False(lines[enumerator + 2].StartsWith("    only in:", StringComparison.Ordinal));
        // The #if NET8_0_OR_GREATER site says where it exists.
        int array = Array.FindIndex(lines, l => l.Contains("Points.cs:32:51: heap: new int[n]", StringComparison.Ordinal));
        Assert.Equal("    only in: net10.0, net8.0", lines[array + 1]);
    }

    [Fact]
    public async Task Json_and_sarif_carry_one_entry_per_site_with_its_runtime_and_reason()
    {
        var (_, json, _) = await CliRun.Analyze(MultiLib, "--format", "json");
        var root = JsonDocument.Parse(json).RootElement;
        var sites = root.GetProperty("sites").EnumerateArray().Where(s => s.GetProperty("path").GetString()!.EndsWith("Points.cs", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, sites.Count);
        var local = sites.Single(s => s.GetProperty("line").GetInt32() == 16);
        Assert.Equal((".NET 10", "net10.0"), (local.GetProperty("runtime").GetString(), local.GetProperty("target").GetString()));
        Assert.StartsWith("no app in the workspace references this library; the newest .NET runtime installed", local.GetProperty("runtimeReason").GetString());
        Assert.Equal(["stack on .NET 10 (net10.0)", "heap on .NET 8 (net8.0)", "heap on .NET Framework (netstandard2.0)"],
            local.GetProperty("runtimes").EnumerateArray().Select(r => $"{r.GetProperty("kind").GetString()} on {r.GetProperty("runtime").GetString()} ({r.GetProperty("target").GetString()})"));
        Assert.False(local.TryGetProperty("targets", out _));
        var array = sites.Single(s => s.GetProperty("line").GetInt32() == 32);
        Assert.Equal(["net10.0", "net8.0"], array.GetProperty("targets").EnumerateArray().Select(t => t.GetString()));
        var project = Assert.Single(root.GetProperty("projects").EnumerateArray());
        Assert.Equal(["net10.0", "net8.0", "netstandard2.0"], project.GetProperty("targets").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal(".NET 10", project.GetProperty("runtime").GetString());

        var (_, sarif, _) = await CliRun.Analyze(MultiLib, "--format", "sarif");
        var results = JsonDocument.Parse(sarif).RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("ruleId").GetString() != "AL-BUDGET").ToList();
        // Stack sites are not results: the local Point is stack on the primary runtime. Three heap sites, once each.
        Assert.Equal(3, results.Count);
        Assert.Equal([".NET 10", ".NET 10", ".NET 8"], results.Select(r => r.GetProperty("properties").GetProperty("runtime").GetString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Target_narrows_a_multi_targeted_project_to_one_compile_target()
    {
        var (_, output, _) = await CliRun.Analyze(MultiLib, "--target", "netstandard2.0", "--format", "json");
        var sites = JsonDocument.Parse(output).RootElement.GetProperty("sites").EnumerateArray().ToList();
        // netstandard2.0 has no KeepArray (#if NET8_0_OR_GREATER), and is judged for the runtime that loads it.
        Assert.Equal(3, sites.Count);
        Assert.All(sites, s => Assert.Equal("netstandard2.0", s.GetProperty("target").GetString()));
    }

    [Fact]
    public async Task A_library_is_judged_for_the_app_that_references_it()
    {
        var (_, output, error) = await CliRun.Analyze(Fixture("LibraryRuntimes", "FxApp", "FxApp.csproj"), "--format", "json");
        // stderr names each project's runtime once, whatever the format.
        Assert.Contains("allocation-lens: Lib (netstandard2.0): judged for .NET Framework (the runtime of `FxApp`, which references this library)", error);
        var local = JsonDocument.Parse(output).RootElement.GetProperty("sites").EnumerateArray()
            .Single(s => s.GetProperty("path").GetString()!.EndsWith("Shapes.cs", StringComparison.Ordinal) && s.GetProperty("line").GetInt32() == 16);
        Assert.Equal(("heap", ".NET Framework"), (local.GetProperty("kind").GetString(), local.GetProperty("runtime").GetString()));
        Assert.Equal("the runtime of `FxApp`, which references this library", local.GetProperty("runtimeReason").GetString());
    }

    /// <summary>
    /// Out of process, from the pinned folder as a user runs it: hostfxr itself would print the SDK list
    /// to stdout if asked to resolve an SDK there, and only a real process shows that.
    /// </summary>
    [Fact]
    public async Task A_global_json_pinning_a_missing_sdk_is_named_on_stderr_and_the_files_are_judged_on_their_own()
    {
        var folder = Fixture("PinnedSdk");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var a in new[] { typeof(Program).Assembly.Location, "analyze", ".", "--format", "json" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));

        Assert.True(process.ExitCode == 0, await stderr);
        var root = JsonDocument.Parse(await stdout).RootElement; // nothing but the report on stdout
        var site = Assert.Single(root.GetProperty("sites").EnumerateArray());
        Assert.Equal("heap", site.GetProperty("kind").GetString());
        var error = await stderr;
        Assert.Contains($"{Path.Combine(folder, "global.json")} asks for .NET SDK 11.0.100-preview.3.25201.16 (rollForward latestPatch), which is not installed (installed: ", error);
        Assert.Contains("judging 1 file(s) on their own", error);
        Assert.DoesNotContain("allocationLens.dotnetPath", error);
    }
}
