using System.Diagnostics;
using System.Text.Json;
using AllocationLens.Cli;
using AllocationLens.Workspace;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>Allocation budgets (`--fail-on`, exit code 3) and `--format sarif`, validated by the SARIF Multitool.</summary>
public sealed class BudgetAndSarifTests
{
    private static readonly string Root = CliRun.Root;
    private static readonly string Budgets = Path.Combine(Root, "test", "projects", "Budgets", "Hot.cs");

    private static Task<(int Code, string Out, string Err)> Analyze(params string[] args) => CliRun.Analyze(args);

    [Fact]
    public async Task Hot_methods_over_budget_are_printed_and_fail_with_exit_code_3()
    {
        var (code, output, _) = await Analyze(Budgets, "--fail-on", "budget");
        Assert.Equal(3, code);
        var budgetLines = output.Split('\n').Where(l => l.Contains(": budget: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, budgetLines.Count);
        Assert.Contains(budgetLines, l => l.Contains("`Shop.Orders.Total` is marked [HotPath] (allocation-free) but allocates: 1 heap or boxed site(s)", StringComparison.Ordinal) && l.Contains("new List<int>(prices)", StringComparison.Ordinal));
        Assert.Contains(budgetLines, l => l.Contains("`Shop.Orders.Configured` is listed in .allocationlens.json", StringComparison.Ordinal));
        // Within budget, and the cold method and the allocation-free method are never reported.
        Assert.DoesNotContain(budgetLines, l => l.Contains("One", StringComparison.Ordinal) || l.Contains("Cold", StringComparison.Ordinal) || l.Contains("Clean", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_hot_methods_budget_counts_what_its_source_callees_allocate_per_call()
    {
        var callees = Path.Combine(Root, "test", "projects", "Budgets", "Callees.cs");
        var (code, output, _) = await Analyze(callees, "--fail-on", "budget");
        Assert.Equal(3, code);
        var budgetLines = output.Split('\n').Where(l => l.Contains(": budget: ", StringComparison.Ordinal)).ToList();
        var pay = Assert.Single(budgetLines);
        Assert.Contains("`Shop.Callees.Checkout.Pay` is marked [HotPath] (allocation-free) but allocates: 1 heap or boxed site(s) with its callees, 24 bytes per call: calls `Helpers.Remember(int)` (line 21), which allocates 1 heap (24 B)", pay);
        // Quote calls a helper that allocates nothing: within budget. And `--fail-on heap` looks at the method's own sites only.
        Assert.Equal(0, (await Analyze(callees, "--fail-on", "heap")).Code);
    }

    [Fact]
    public async Task Without_fail_on_the_report_still_lists_violations_and_exits_0()
    {
        var (code, output, _) = await Analyze(Budgets, "--format", "json");
        Assert.Equal(0, code);
        var budgets = JsonDocument.Parse(output).RootElement.GetProperty("budgets").EnumerateArray().ToList();
        Assert.Equal(["Shop.Orders.Configured", "Shop.Orders.Total"], budgets.Select(b => b.GetProperty("method").GetString()!).OrderBy(m => m));
    }

    [Fact]
    public async Task Fail_on_boxed_fails_on_a_box_inside_a_hot_method_even_within_its_budget()
    {
        Assert.Equal(3, (await Analyze(Budgets, "--fail-on", "boxed")).Code);
        Assert.Equal(3, (await Analyze(Budgets, "--fail-on", "heap")).Code);
        var sample = Path.Combine(Root, "samples"); // no hot methods there
        Assert.Equal(0, (await Analyze(sample, "--fail-on", "heap", "--fail-on", "boxed", "--fail-on", "budget")).Code);
    }

    [Fact]
    public void Fail_on_takes_only_known_kinds()
    {
        Assert.False(AnalyzeOptions.TryParse(["x.cs", "--fail-on", "string"], out _, out var error));
        Assert.Contains("'string' not recognized", error);
        Assert.Contains("'budget'", error);
    }

    [Fact]
    public async Task Sarif_output_is_valid_SARIF_2_1_0_with_one_rule_per_category_and_budget_warnings()
    {
        var (code, output, _) = await Analyze(Budgets, "--format", "sarif");
        Assert.Equal(0, code);
        var run = JsonDocument.Parse(output).RootElement.GetProperty("runs")[0];
        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
        Assert.Contains("AL-OBJECT", rules);
        Assert.Contains("AL-BOX", rules);
        Assert.Contains("AL-BUDGET", rules);
        var results = run.GetProperty("results").EnumerateArray().ToList();
        Assert.All(results.Where(r => r.GetProperty("ruleId").GetString() == "AL-BUDGET"), r => Assert.Equal("warning", r.GetProperty("level").GetString()));
        Assert.All(results.Where(r => r.GetProperty("ruleId").GetString() != "AL-BUDGET"), r =>
        {
            Assert.Equal("note", r.GetProperty("level").GetString());
            var properties = r.GetProperty("properties");
            Assert.True(properties.TryGetProperty("kind", out _) && properties.TryGetProperty("loopDepth", out _) && properties.TryGetProperty("target", out _));
        });

        var sarif = Path.Combine(Root, "artifacts", "cli-tests", $"budgets-{Guid.NewGuid():N}.sarif");
        Directory.CreateDirectory(Path.GetDirectoryName(sarif)!);
        File.WriteAllText(sarif, output);
        var findings = Validate(sarif);
        Assert.True(findings.Count == 0, "SARIF Multitool: " + string.Join("\n", findings));
    }

    /// <summary>Errors and warnings of `sarif-multitool validate` (npm @microsoft/sarif-multitool, installed once into the cache).</summary>
    private static List<string> Validate(string sarif)
    {
        var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "allocation-lens", "sarif-multitool");
        var tool = Path.Combine(cache, "node_modules", ".bin", "sarif-multitool");
        if (!File.Exists(tool))
        {
            Directory.CreateDirectory(cache);
            Run("npm", ["install", "--prefix", cache, "--no-audit", "--no-fund", "--loglevel=error", "@microsoft/sarif-multitool@5"], cache);
        }
        var output = sarif + ".validation.sarif";
        File.Delete(output);
        Run(tool, ["validate", sarif, "-o", output], cache);
        var log = JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("runs")[0];
        if (!log.TryGetProperty("results", out var results)) return [];
        return results.EnumerateArray()
            .Where(r => r.TryGetProperty("level", out var level) && level.GetString() is "error" or "warning")
            .Select(r => $"{r.GetProperty("ruleId").GetString()}: {r.GetProperty("message")}")
            .ToList();
    }

    private static void Run(string file, string[] args, string directory)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) { process.Kill(true); throw new TimeoutException($"{file} did not finish"); }
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stdout.Result}{stderr.Result}");
    }

    private static readonly string ColdSites = Path.Combine(Root, "test", "projects", "ColdSites", "Parser.cs");

    [Fact]
    public async Task Cold_sites_carry_their_reason_in_text_json_and_sarif()
    {
        var (_, text, _) = await Analyze(ColdSites);
        var lines = text.Split('\n');
        Assert.Contains(lines, l => l.Contains("heap: new FormatException(", StringComparison.Ordinal) && l.EndsWith("[cold: throw]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("\"not a digit: \" + c", StringComparison.Ordinal) && l.EndsWith("[cold: throw]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("new() { [\"true\"]", StringComparison.Ordinal) && l.EndsWith("[once: static-initializer]", StringComparison.Ordinal));

        var (_, json, _) = await Analyze(ColdSites, "--format", "json");
        var sites = JsonDocument.Parse(json).RootElement.GetProperty("sites").EnumerateArray().ToList();
        var thrown = Assert.Single(sites, s => s.GetProperty("type").GetString() == "System.FormatException" && s.GetProperty("message").GetString()!.Contains("not a digit", StringComparison.Ordinal));
        var cold = thrown.GetProperty("cold");
        Assert.Equal("throw", cold.GetProperty("reason").GetString());
        Assert.Equal("cold", cold.GetProperty("label").GetString());
        Assert.Contains("only when the throw runs", cold.GetProperty("message").GetString());
        // A throw's remedies say it allocates only when it throws; never "make it a struct".
        Assert.DoesNotContain(thrown.GetProperty("remedies").EnumerateArray(), r => r.GetString()!.Contains("struct", StringComparison.Ordinal));
        var table = Assert.Single(sites, s => s.GetProperty("type").GetString()!.StartsWith("System.Collections.Generic.Dictionary", StringComparison.Ordinal));
        Assert.Equal("static-initializer", table.GetProperty("cold").GetProperty("reason").GetString());
        Assert.Equal("once", table.GetProperty("cold").GetProperty("label").GetString());
        // A site on the normal path has no `cold` member at all (additive: older readers see nothing new);
        // the cold ones are the two throws' and the table's.
        var normal = Assert.Single(sites, s => s.GetProperty("message").GetString()!.StartsWith("\"n=\" + n", StringComparison.Ordinal));
        Assert.False(normal.TryGetProperty("cold", out _));
        Assert.Equal(["static-initializer", "throw", "throw", "throw", "throw", "throw"],
            sites.Where(s => s.TryGetProperty("cold", out _)).Select(s => s.GetProperty("cold").GetProperty("reason").GetString()!).Order());

        var (_, sarif, _) = await Analyze(ColdSites, "--format", "sarif");
        var results = JsonDocument.Parse(sarif).RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        var coldResults = results.Where(r => r.GetProperty("properties").TryGetProperty("cold", out _)).ToList();
        Assert.Equal(6, coldResults.Count);
        Assert.All(coldResults, r => Assert.Equal("note", r.GetProperty("level").GetString()));
    }

    [Fact]
    public async Task Budgets_leave_cold_sites_out_unless_count_cold_or_the_budget_asks_for_them()
    {
        // Digit's only sites are its throw's: within its budget. Letter's budget says CountCold = true, and
        // so does Check's entry in .allocationlens.json.
        var (code, output, _) = await Analyze(ColdSites, "--fail-on", "budget");
        Assert.Equal(3, code);
        var budgetLines = output.Split('\n').Where(l => l.Contains(": budget: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, budgetLines.Count);
        Assert.Contains(budgetLines, l => l.Contains("`Cold.Parser.Letter` is marked [HotPath] (allocation-free) but allocates: 2 heap or boxed site(s)", StringComparison.Ordinal));
        Assert.Contains(budgetLines, l => l.Contains("`Cold.Parser.Check` is listed in .allocationlens.json (allocation-free) but allocates: 1 heap or boxed site(s)", StringComparison.Ordinal));
        // `--fail-on heap` looks at the hot methods' own sites, with the same rule: Letter's cold sites count.
        Assert.Equal(3, (await Analyze(ColdSites, "--fail-on", "heap")).Code);

        var (countedCode, counted, _) = await Analyze(ColdSites, "--fail-on", "budget", "--count-cold");
        Assert.Equal(3, countedCode);
        var lines = counted.Split('\n').Where(l => l.Contains(": budget: ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Contains(lines, l => l.Contains("`Cold.Parser.Digit` is marked [HotPath] (allocation-free) but allocates: 2 heap or boxed site(s)", StringComparison.Ordinal));
    }
}
