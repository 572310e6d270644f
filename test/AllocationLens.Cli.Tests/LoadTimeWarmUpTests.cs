using AllocationLens.Cli;
using AllocationLens.Workspace;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>
/// The warm-up `analyze` runs on the idle core while MSBuild loads: it judges the project's files and
/// stops when told, and the report is the same with it as without it.
/// </summary>
public sealed class LoadTimeWarmUpTests
{
    private static readonly string Sample = Path.Combine(CliRun.Root, "samples", "OrderPipeline");

    [Fact]
    public async Task It_judges_every_file_of_the_project_when_the_load_takes_longer()
    {
        var project = Directory.GetFiles(Sample, "*.csproj").Single();
        var judged = await LoadTimeWarmUp.Start([project], CancellationToken.None);
        var files = Directory.GetFiles(Sample, "*.cs", SearchOption.AllDirectories).Count(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"));
        // A single-core machine skips the warm-up: it would only slow the load there.
        Assert.Equal(Environment.ProcessorCount < 2 ? 0 : files, judged);
    }

    [Fact]
    public async Task It_stops_without_an_error_when_the_load_is_done_first()
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var judged = await LoadTimeWarmUp.Start([Path.Combine(CliRun.Root, "server.sln")], stop.Token).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, judged);
    }

    [Fact]
    public async Task The_report_is_the_same_with_and_without_it()
    {
        Assert.Null(MsBuildRegistration.EnsureRegistered());
        Assert.True(AnalyzeOptions.TryParse([Sample, "--format", "json"], out var options, out var error), error);
        async Task<string> Report(bool warmUp)
        {
            var stdout = new StringWriter();
            Assert.Equal(0, await AnalyzeCommand.RunAsync(options with { WarmUp = warmUp }, null, stdout, new StringWriter()));
            return stdout.ToString();
        }
        var cold = await Report(warmUp: false);
        Assert.Contains("\"kind\": \"heap\"", cold);
        Assert.Equal(cold, await Report(warmUp: true));
    }
}
