using AllocationLens.Cli;
using AllocationLens.Workspace;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>Runs `allocation-lens analyze` in process, as the tests of this project do.</summary>
internal static class CliRun
{
    public static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found");
    }

    public static async Task<(int Code, string Out, string Err)> Analyze(params string[] args)
    {
        Assert.Null(MsBuildRegistration.EnsureRegistered());
        Assert.True(AnalyzeOptions.TryParse(args, out var options, out var error), error);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = await AnalyzeCommand.RunAsync(options, null, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
