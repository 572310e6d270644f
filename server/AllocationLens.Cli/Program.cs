using AllocationLens.Workspace;

namespace AllocationLens.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        // MSBuildLocator must register before any method that touches Microsoft.Build is JIT-compiled;
        // the commands below live in other methods, so registering here first is enough.
        string? msbuildProblem = MsBuildRegistration.EnsureRegistered();
        // `measure ... -- COMMAND...`: the command after `--` is the child's, never parsed as ours.
        var (ours, measuredCommand) = MeasureOptions.SplitCommand(args);
        var root = CommandLine.Build(msbuildProblem, measuredCommand);
        if (args is ["--version"])
        {
            Console.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "0.1.0");
            Console.WriteLine(HostDescription(msbuildProblem));
            return 0;
        }
        var parse = root.Parse(ours);
        // Usage errors (and no command at all) exit 2, as documented; findings never change the code except --fail-on (3).
        if (parse.Errors.Count > 0 || args.Length == 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"allocation-lens: {error.Message}");
            if (args.Length == 0) Console.Error.WriteLine("allocation-lens: a command is needed: analyze, measure or lsp (--help for more)");
            return 2;
        }
        return await parse.InvokeAsync().ConfigureAwait(false);
    }

    /// <summary>The runtime we run on and the SDK whose MSBuild loads projects ("runtime .NET 11.0.0; MSBuild from .NET SDK 10.0.401").</summary>
    public static string HostDescription(string? msbuildProblem) =>
        $"runtime .NET {Environment.Version}; " + (MsBuildRegistration.RegisteredSdk is { } sdk ? $"MSBuild from .NET SDK {sdk}" : $"no MSBuild ({msbuildProblem ?? "not registered"})");
}
