using System.Text.Json;
using AllocationLens.Cli;
using AllocationLens.Workspace;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>`allocation-lens analyze`, in process: the text format, the JSON contract (docs/json-format.md), exit codes.</summary>
public sealed class CliTests
{
    private static readonly string Root = CliRun.Root;

    private static Task<(int Code, string Out, string Err)> Analyze(params string[] args) => CliRun.Analyze(args);

    [Fact]
    public async Task A_terminal_sees_progress_per_phase_and_a_clean_line_before_the_report()
    {
        Assert.Null(MsBuildRegistration.EnsureRegistered());
        var terminal = new StringWriter();
        Assert.True(AnalyzeOptions.TryParse([Path.Combine(Root, "samples", "OrderPipeline")], out var options, out var error), error);
        var stdout = new StringWriter();
        var code = await AnalyzeCommand.RunAsync(options with { Progress = TerminalProgress.To(terminal) }, null, stdout, new StringWriter());
        Assert.Equal(0, code);
        var shown = terminal.ToString();
        // Each phase rewrites one line in place; the file count ends complete; the line is erased last.
        Assert.Contains("\rallocation-lens: loading ", shown);
        Assert.Contains("\rallocation-lens: compiling OrderPipeline", shown);
        var files = Directory.GetFiles(Path.Combine(Root, "samples", "OrderPipeline"), "*.cs").Length;
        Assert.Contains($"\rallocation-lens: analysing OrderPipeline: {files}/{files} files", shown);
        Assert.Matches(@"\r +\r$", shown);
        Assert.DoesNotContain('\n', shown);
        // A redirected stderr (this test's) gets none of it: the report is unchanged.
        Assert.DoesNotContain("allocation-lens: analysing", stdout.ToString());
    }

    [Fact]
    public async Task Json_output_follows_the_contract_for_the_sample()
    {
        var (code, output, _) = await Analyze(Path.Combine(Root, "samples"), "--format", "json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        Assert.Equal("net10.0", root.GetProperty("target").GetString());
        var sites = root.GetProperty("sites").EnumerateArray().ToList();
        Assert.NotEmpty(sites);
        foreach (var site in sites)
        {
            Assert.True(site.GetProperty("line").GetInt32() >= 1);
            Assert.True(site.GetProperty("column").GetInt32() >= 1);
            Assert.True(site.GetProperty("endLine").GetInt32() >= site.GetProperty("line").GetInt32());
            Assert.Contains(site.GetProperty("kind").GetString(), new[] { "heap", "boxed", "stack" });
            Assert.False(string.IsNullOrEmpty(site.GetProperty("message").GetString()));
            Assert.True(site.TryGetProperty("loopDepth", out _));
            if (site.GetProperty("kind").GetString() != "stack") Assert.NotEmpty(site.GetProperty("why").EnumerateArray());
        }
        // Every verdict kind appears in the demo.
        Assert.Equal(new[] { "boxed", "heap", "stack" }, sites.Select(s => s.GetProperty("kind").GetString()).Distinct().OrderBy(k => k));

        // The escaping LineTotal in Remember: 1-based line/column of `new LineTotal(...)`.
        var remember = sites.Single(s => s.GetProperty("message").GetString()!.Contains("stored to field `_lastTotal`", StringComparison.Ordinal));
        var lines = File.ReadAllLines(Path.Combine(Root, "samples", "OrderPipeline", "OrderProcessor.cs"));
        var line = lines[remember.GetProperty("line").GetInt32() - 1];
        Assert.Equal("new LineTotal(order.Amount, 0m)", line.Substring(remember.GetProperty("column").GetInt32() - 1, "new LineTotal(order.Amount, 0m)".Length));
        Assert.Equal("samples/OrderPipeline/OrderProcessor.cs", Path.GetRelativePath(Root, Path.GetFullPath(remember.GetProperty("path").GetString()!)).Replace('\\', '/'));
        Assert.Equal(8 + 8 + 2 * 16, remember.GetProperty("bytes").GetInt32()); // header, method table, two decimals
    }

    [Fact]
    public async Task Text_output_reads_like_gcflags_m()
    {
        var file = Path.Combine(Root, "test", "projects", "Net10App", "Shapes.cs");
        var (code, output, _) = await Analyze(file);
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.EndsWith("Shapes.cs:19:54: heap: new Circle(r) escapes: stored to static field `s_last`", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Shapes.cs:15:17: stack: new Circle(r) stays off the heap", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Runtime_flag_changes_the_runtime_a_file_on_its_own_is_judged_for()
    {
        var file = Path.Combine(Root, "test", "projects", "Net10App", "Shapes.cs");
        var (_, eight, _) = await Analyze(file, "--runtime", "8.0", "--format", "json");
        var site = JsonDocument.Parse(eight).RootElement.GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("line").GetInt32() == 15 && s.GetProperty("column").GetInt32() == 17);
        Assert.Equal("heap", site.GetProperty("kind").GetString());
        Assert.StartsWith("new Circle(r): .NET 8 does not stack-allocate objects", site.GetProperty("message").GetString());
        Assert.Equal(".NET 8", site.GetProperty("runtime").GetString());
        Assert.Equal("files judged on their own; chosen with --runtime 8.0", site.GetProperty("runtimeReason").GetString());
        // --target is the compile target: it does not pick the runtime (the newest installed judges).
        var (_, target, _) = await Analyze(file, "--target", "net8.0");
        Assert.Contains("Shapes.cs:15:17: stack: new Circle(r)", target);
    }

    /// <summary>A net11.0 project with only SDK 10: stderr names the missing SDK, and its files are judged for net11.0.</summary>
    [Fact]
    public async Task A_project_whose_sdk_is_missing_is_judged_ad_hoc_for_its_own_target()
    {
        var (code, output, err) = await Analyze(Path.Combine(Root, "test", "projects", "Net11App"), "--format", "json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("net11.0", json.RootElement.GetProperty("target").GetString());
        var sites = json.RootElement.GetProperty("sites").EnumerateArray().ToList();
        Assert.Equal(["stack", "heap", "boxed"], sites.Select(s => s.GetProperty("kind").GetString()));
        Assert.All(sites, s => Assert.Equal("net11.0", s.GetProperty("target").GetString()));
        if (MsBuildRegistration.InstalledSdks[0].Major < 11)
            Assert.Contains($"allocation-lens: The .NET SDK for net11.0 is not installed (found SDK {MsBuildRegistration.InstalledSdks[0]}", err);
    }

    [Fact]
    public async Task Missing_paths_exit_1_and_usage_errors_exit_2()
    {
        var (code, _, err) = await Analyze(Path.Combine(Root, "no", "such", "place"));
        Assert.Equal(1, code);
        Assert.Contains("no such file or directory", err);
        Assert.False(AnalyzeOptions.TryParse(["--format", "xml", "x.cs"], out _, out var error));
        Assert.Contains("'xml' not recognized", error);
        Assert.Contains("'sarif'", error);
        Assert.Equal(2, await Program.Main(["bogus"]));
        Assert.Equal(2, await Program.Main([]));
    }
}
