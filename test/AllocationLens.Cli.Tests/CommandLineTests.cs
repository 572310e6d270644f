using AllocationLens.Cli;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>The command line's conventions: POSIX forms, repeated options, help for every command, usage errors.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void Posix_forms_and_repeated_options_parse()
    {
        Assert.True(AnalyzeOptions.TryParse(["src", "--format=json", "--verify", "--runtime", "10", "--runtime=8.0.34", "--fail-on", "budget", "--fail-on", "boxed"], out var options, out var error), error);
        Assert.Equal(("src", "json", true), (options.Path, options.Format, options.Verify));
        Assert.Equal(["10", "8.0.34"], options.Runtimes);
        Assert.Equal(["budget", "boxed"], options.FailOn);
    }

    [Fact]
    public void Runtime_chooses_static_and_verified_runtimes_alike_and_refuses_what_names_none()
    {
        Assert.True(AnalyzeOptions.TryParse(["src", "--runtime", "net8.0", "--runtime", "framework", "--runtime", "11"], out var options, out var error), error);
        Assert.Equal([".NET 11", ".NET 8", ".NET Framework"], options.RuntimeChoice.Runtimes.Select(r => r.DisplayName));
        Assert.Equal(["8.0", "11"], options.VerifyRuntimes);
        Assert.False(AnalyzeOptions.TryParse(["src", "--runtime", "ten"], out _, out error));
        Assert.Contains("--runtime ten: names no runtime", error);
    }

    [Fact]
    public void Every_command_has_help()
    {
        var root = CommandLine.Build(null);
        Assert.Equal(["analyze", "measure", "lsp"], root.Subcommands.Select(c => c.Name));
        var help = new StringWriter();
        var result = root.Parse(["analyze", "--help"]);
        result.InvocationConfiguration.Output = help;
        Assert.Equal(0, result.Invoke());
        foreach (var option in new[] { "--format", "--target", "--verify", "--runtime", "--fail-on" }) Assert.Contains(option, help.ToString());
        var measureHelp = new StringWriter();
        var measure = root.Parse(["measure", "--help"]);
        measure.InvocationConfiguration.Output = measureHelp;
        Assert.Equal(0, measure.Invoke());
        foreach (var option in new[] { "--format", "--runtime", "--configuration", "--timeout" }) Assert.Contains(option, measureHelp.ToString());
    }

    [Fact]
    public void Lsp_accepts_what_language_clients_pass()
    {
        // vscode-languageclient starts `allocation-lens lsp --stdio` (and may add --clientProcessId=N).
        var parse = CommandLine.Build(null).Parse(["lsp", "--stdio", "--clientProcessId=4242"]);
        Assert.Empty(parse.Errors);
        Assert.Equal("lsp", parse.CommandResult.Command.Name);
    }
}
