using AllocationLens.Workspace;

namespace AllocationLens.Cli;

public static class Program
{
    public const string Usage = """
        usage:
          allocation-lens analyze <file.cs|project.csproj|solution.sln|solution.slnx|folder> [--format text|json|sarif] [--target net10.0]
                          [--verify [--runtime 10.0 ...]]   ask the real JIT of each installed runtime
                          [--fail-on budget|heap|boxed ...]  exit 3 when a hot method's budget is exceeded,
                                                             or any heap/boxed site sits in a hot method
          allocation-lens lsp        run the language server on stdin/stdout
          allocation-lens --version
        """;

    public static async Task<int> Main(string[] args)
    {
        // MSBuildLocator must register before any method that touches Microsoft.Build is JIT-compiled;
        // the commands below live in other methods, so registering here first is enough.
        string? msbuildProblem = MsBuildRegistration.EnsureRegistered();
        if (args.Length == 0) { Console.Error.WriteLine(Usage); return 2; }
        switch (args[0])
        {
            case "-h" or "--help" or "help":
                Console.WriteLine(Usage);
                return 0;
            case "--version":
                Console.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "0.1.0");
                Console.WriteLine(HostDescription(msbuildProblem));
                return 0;
            case "lsp":
                return await LspCommand.RunAsync(msbuildProblem).ConfigureAwait(false);
            case "analyze":
                if (!AnalyzeOptions.TryParse(args.AsSpan(1), out var options, out var error))
                {
                    Console.Error.WriteLine($"allocation-lens: {error}\n{Usage}");
                    return 2;
                }
                return await AnalyzeCommand.RunAsync(options, msbuildProblem, Console.Out, Console.Error).ConfigureAwait(false);
            default:
                Console.Error.WriteLine($"allocation-lens: unknown command '{args[0]}'\n{Usage}");
                return 2;
        }
    }

    /// <summary>The runtime we run on and the SDK whose MSBuild loads projects ("runtime .NET 11.0.0; MSBuild from .NET SDK 10.0.401").</summary>
    public static string HostDescription(string? msbuildProblem) =>
        $"runtime .NET {Environment.Version}; " + (MsBuildRegistration.RegisteredSdk is { } sdk ? $"MSBuild from .NET SDK {sdk}" : $"no MSBuild ({msbuildProblem ?? "not registered"})");
}
