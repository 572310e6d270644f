using AllocationLens.Cli;
using AllocationLens.Workspace;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>
/// `analyze` loads projects with MSBuild in its own process (InProcessProjectLoader); its reports are
/// the same, byte for byte, as with MSBuildWorkspace's build host (ALLOCATION_LENS_BUILD_HOST=1).
/// bench `build-ratio` checks the same on four real libraries.
/// </summary>
public sealed class InProcessLoadTests
{
    private static async Task<(string Report, string Log)> Analyze(string path, bool inProcess)
    {
        Assert.Null(MsBuildRegistration.EnsureRegistered());
        Assert.True(AnalyzeOptions.TryParse([path, "--format", "json"], out var options, out var error), error);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(0, await AnalyzeCommand.RunAsync(options with { InProcessLoad = inProcess }, null, stdout, stderr));
        return (stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("samples/OrderPipeline")]
    [InlineData("test/projects/Slnx/Slnx.slnx")]
    [InlineData("test/projects/MultiTarget")]
    public async Task The_report_is_the_same_as_through_the_build_host(string relative)
    {
        var path = Path.Combine(CliRun.Root, relative);
        var (viaHost, _) = await Analyze(path, inProcess: false);
        var (inProcess, _) = await Analyze(path, inProcess: true);
        Assert.Contains("\"kind\": \"heap\"", viaHost);
        Assert.Equal(viaHost, inProcess);
    }
}
