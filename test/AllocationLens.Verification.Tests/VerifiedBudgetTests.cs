using System.Text.Json;
using AllocationLens.Cli;
using Xunit;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// `analyze --fail-on budget --verify`: a hot method's own sites count by the JIT's verdict where the JIT
/// judged them. test/projects/VerifyBudgets holds a method the static model calls allocation-free and the
/// profile-free JIT does not (a known, asserted disagreement of the corpus), and one both call allocation-free.
/// </summary>
[Collection("verification")]
public class VerifiedBudgetTests(VerificationEnvironment environment)
{
    private async Task<(int Exit, JsonElement Report)> Analyze(string format, bool verify)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var options = new AnalyzeOptions(environment.Project("VerifyBudgets"), format, null, Verify: verify, RuntimeFilter: ["10.0"], FailOnKinds: ["budget"]);
        int exit = await AnalyzeCommand.RunAsync(options, AllocationLens.Workspace.MsBuildRegistration.EnsureRegistered(), stdout, stderr);
        return (exit, JsonDocument.Parse(stdout.ToString()).RootElement.Clone());
    }

    [Fact]
    public async Task Static_verdicts_alone_keep_both_budgets()
    {
        var (exit, report) = await Analyze("json", verify: false);
        Assert.Equal(0, exit);
        Assert.False(report.TryGetProperty("budgets", out _));
    }

    [Fact]
    public async Task With_verify_the_JITs_kept_allocation_breaks_the_budget_and_says_which_verdict_decided()
    {
        var (exit, report) = await Analyze("json", verify: true);
        Assert.Equal(Budgets.FailureExitCode, exit);
        var violation = Assert.Single(report.GetProperty("budgets").EnumerateArray());
        Assert.Equal("VerifyBudgets.Hot.Heavy", violation.GetProperty("method").GetString());
        Assert.Equal(1, violation.GetProperty("byJit").GetInt32());
        Assert.Equal(0, violation.GetProperty("byStaticModel").GetInt32());
        Assert.Contains("heap new HeavyCtor()", violation.GetProperty("message").GetString());
        Assert.Contains("1 site(s) by the JIT of .NET 10.0.", violation.GetProperty("message").GetString());
    }

    [Fact]
    public async Task The_SARIF_budget_rule_says_the_JIT_decided_and_results_carry_the_counts()
    {
        var (exit, sarif) = await Analyze("sarif", verify: true);
        Assert.Equal(Budgets.FailureExitCode, exit);
        var run = sarif.GetProperty("runs")[0];
        var rule = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "AL-BUDGET");
        Assert.Contains("by the JIT's verdict where the JIT judged them", rule.GetProperty("fullDescription").GetProperty("text").GetString());
        var result = run.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "AL-BUDGET");
        Assert.Equal(1, result.GetProperty("properties").GetProperty("byJit").GetInt32());
        // A site's own result carries the JIT's verdict per runtime.
        var site = run.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("ruleId").GetString() == "AL-OBJECT");
        Assert.Contains("new Point()", site.GetProperty("message").GetProperty("text").GetString());
        var jit = Assert.Single(site.GetProperty("properties").GetProperty("jit").EnumerateArray());
        Assert.StartsWith("10.0.", jit.GetProperty("runtime").GetString());
        Assert.Equal("heap", jit.GetProperty("kind").GetString());
    }
}
