using System.Text.Json;
using AllocationLens.Cli;
using Xunit;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// A library whose package dependency its Release output does not copy (a source generator's Roslyn, private
/// assets): the JIT host resolves it where NuGet restored it, so its methods are compiled and judged.
/// </summary>
[Collection("verification")]
public class LibraryDependenciesTests(VerificationEnvironment environment)
{
    [Fact]
    public async Task A_method_whose_signature_needs_a_restored_package_is_compiled_and_judged()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var options = new AnalyzeOptions(environment.Project("VerifyGeneratorDeps"), "json", null, Verify: true, RuntimeFilter: ["10.0"]);
        int exit = await AnalyzeCommand.RunAsync(options, AllocationLens.Workspace.MsBuildRegistration.EnsureRegistered(), stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
        var report = JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.Empty(report.GetProperty("unprepared").EnumerateArray());
        var list = Assert.Single(report.GetProperty("sites").EnumerateArray(), s => s.GetProperty("message").GetString()!.StartsWith("new List<string>", StringComparison.Ordinal));
        // The list is returned: the JIT keeps its allocation.
        Assert.Equal("heap", Assert.Single(list.GetProperty("jit").EnumerateArray()).GetProperty("kind").GetString());
    }
}
