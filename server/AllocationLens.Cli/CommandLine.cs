using System.CommandLine;

namespace AllocationLens.Cli;

/// <summary>
/// The command line, on System.CommandLine: `analyze`, `measure` and `lsp` with `--help` for each, POSIX
/// conventions (`--format=json`, repeated options), suggestions for shell completion (`[suggest]`),
/// and `--version` on the root. Parsing lives here; the commands' work lives in their own files.
/// </summary>
public static class CommandLine
{
    public static readonly Argument<string> PathArgument = new("path")
    {
        Description = "A .cs file, a .csproj, a .sln or .slnx, or a folder (its projects, else its .cs files).",
    };

    public static readonly Option<string> Format = new("--format")
    {
        Description = "text (compiler-message lines), json (docs/json-format.md) or sarif (SARIF 2.1.0 for code scanning).",
        DefaultValueFactory = _ => "text",
    };

    public static readonly Option<string?> Target = new("--target")
    {
        Description = "The compile target: of a multi-targeted project, analyse only this target (net8.0, netstandard2.0, ...); files on their own compile for it.",
    };

    public static readonly Option<bool> Verify = new("--verify")
    {
        Description = "Build in Release and add the real JIT's verdict of every installed runtime that can run the build.",
    };

    public static readonly Option<string[]> Runtime = new("--runtime")
    {
        Description = "The runtime whose JIT runs code no app in the workspace runs (a library nobody references, files on their own): 8.0, 10, 11.0, framework. Default: the newest installed. With --verify: verify on these runtimes only (version prefixes: 10, 10.0, 10.0.12). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<string[]> FailOn = new("--fail-on")
    {
        Description = "Exit with code 3 when: budget (a hot method exceeds its budget), heap or boxed (such a site sits in a hot method). Repeatable.",
    };

    public static readonly Option<bool> CountCold = new("--count-cold")
    {
        Description = "Budgets and --fail-on count cold sites too (throws, catch blocks, static initializers), which they leave out by default.",
    };

    public static readonly Argument<string?> MeasurePathArgument = new("path")
    {
        Description = "A project, a solution or a folder: analysed, and its tests run (default: the current folder).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static readonly Option<string> Configuration = new("--configuration", "-c")
    {
        Description = "The build configuration the tests run in: Release (the default: the code the static and JIT verdicts model) or Debug.",
        DefaultValueFactory = _ => "Release",
    };

    public static readonly Option<int> Timeout = new("--timeout")
    {
        Description = "Seconds the measured run may take; then every process of the run is killed (default 600).",
        DefaultValueFactory = _ => 600,
    };

    public static readonly Option<string?> TestFilter = new("--filter")
    {
        Description = "Which tests run, as `dotnet test --filter` takes it (\"FullyQualifiedName~Orders\"); default: all of them.",
    };

    static CommandLine()
    {
        Format.AcceptOnlyFromAmong("text", "json", "sarif");
        FailOn.AcceptOnlyFromAmong("budget", "heap", "boxed");
        Configuration.AcceptOnlyFromAmong("Release", "Debug");
        Timeout.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() <= 0) result.AddError("--timeout must be a positive number of seconds");
        });
    }

    /// <summary>
    /// `measure`, without an action. The command to run instead of `dotnet test` follows `--`; it is split off
    /// before parsing (<see cref="MeasureOptions.SplitCommand"/>), so its own options are never read as ours.
    /// </summary>
    public static Command MeasureCommandDefinition()
    {
        var measure = new Command("measure", "Run the tests of PATH (or `-- COMMAND...`) with allocation sampling and print the analyze report with each site's measured allocations.")
        {
            MeasurePathArgument, Format, Runtime, Configuration, Timeout, TestFilter,
        };
        measure.Validators.Add(result =>
        {
            AllocationLens.Workspace.RuntimeChoice.Parse(result.GetValue(Runtime) ?? [], "--runtime", out var error, installed: []);
            if (error is not null) result.AddError($"--runtime {error}");
        });
        return measure;
    }

    /// <summary>`analyze`, without an action: <see cref="AnalyzeOptions.TryParse"/> and <see cref="Build"/> use it.</summary>
    public static Command AnalyzeCommandDefinition()
    {
        var analyze = new Command("analyze", "Print every allocation site of a file, project, solution or folder, with the reasons (like go build -gcflags=-m).")
        {
            PathArgument, Format, Target, Verify, Runtime, FailOn, CountCold,
        };
        analyze.Validators.Add(result =>
        {
            AllocationLens.Workspace.RuntimeChoice.Parse(result.GetValue(Runtime) ?? [], "--runtime", out var error, installed: []);
            if (error is not null) result.AddError($"--runtime {error}");
        });
        return analyze;
    }

    /// <summary>
    /// `lsp`: stdio is the only transport. LSP clients add their own arguments (vscode-languageclient passes
    /// `--stdio` and may pass `--clientProcessId=N`), so `--stdio` is accepted and other tokens are ignored
    /// rather than refused: a refused argument would leave the editor without a server.
    /// </summary>
    public static Command LspCommandDefinition()
    {
        var lsp = new Command("lsp", "Run the language server on stdin and stdout (the VS Code extension starts it).")
        {
            new Option<bool>("--stdio") { Description = "Talk LSP over stdin and stdout (the default and only transport)." },
        };
        lsp.TreatUnmatchedTokensAsErrors = false;
        return lsp;
    }

    public static RootCommand Build(string? msbuildProblem, IReadOnlyList<string>? measuredCommand = null)
    {
        var root = new RootCommand("Allocation Lens: where C# code allocates on the GC heap, and why.");
        var analyze = AnalyzeCommandDefinition();
        analyze.SetAction((parse, cancellationToken) =>
            AnalyzeCommand.RunAsync(AnalyzeOptions.From(parse), msbuildProblem, Console.Out, Console.Error, cancellationToken));
        var lsp = LspCommandDefinition();
        lsp.SetAction((_, _) => LspCommand.RunAsync(msbuildProblem));
        root.Subcommands.Add(analyze);
        var measure = MeasureCommandDefinition();
        measure.SetAction(async (parse, cancellationToken) =>
        {
            // Started by the language server: the run stops when the server dies, however it dies.
            using var orphaned = ParentWatch.CancelWhenGone(Environment.GetEnvironmentVariable(ParentWatch.Variable), cancellationToken);
            return await MeasureCommand.RunAsync(MeasureOptions.From(parse, measuredCommand ?? []), msbuildProblem, Console.Out, Console.Error, orphaned.Token).ConfigureAwait(false);
        });
        root.Subcommands.Add(measure);
        root.Subcommands.Add(lsp);
        return root;
    }
}
