using System.Diagnostics;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>The CLI as a .NET tool: packed, installed from a local folder as a user would, and run.</summary>
public sealed class ToolPackageTests
{
    [Fact]
    public void The_tool_installs_from_a_local_folder_and_runs_with_its_JIT_host()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "server.sln"))) root = Path.GetDirectoryName(root)!;
        var work = Path.Combine(root, "artifacts", "tool-test", Guid.NewGuid().ToString("N")[..8]);
        var feed = Path.Combine(work, "feed");
        var tools = Path.Combine(work, "tools");
        Run("dotnet", ["pack", Path.Combine(root, "server", "AllocationLens.Cli", "AllocationLens.Cli.csproj"), "-c", "Release", "-o", feed, "-nologo", "-v", "q",
            $"-p:BaseOutputPath={Path.Combine(work, "bin")}{Path.DirectorySeparatorChar}"], root);
        Assert.Single(Directory.GetFiles(feed, "AllocationLens.Tool.*.nupkg"));
        Run("dotnet", ["tool", "install", "--tool-path", tools, "--add-source", feed, "AllocationLens.Tool"], work);

        var exe = Path.Combine(tools, OperatingSystem.IsWindows() ? "allocation-lens.exe" : "allocation-lens");
        var version = Run(exe, ["--version"], work);
        Assert.Contains("runtime .NET", version);
        var sample = Path.Combine(root, "samples", "OrderPipeline", "OrderProcessor.cs");
        var analysis = Run(exe, ["analyze", sample], work);
        Assert.Contains(": heap: ", analysis);
        // "Verify with JIT" needs its host beside the tool's assemblies.
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(tools, ".store"), "allocation-lens-jit-host.dll", SearchOption.AllDirectories));
    }

    private static string Run(string file, string[] args, string directory)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(8))) { process.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish"); }
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {process.ExitCode}: {stdout.Result}{stderr.Result}");
        return stdout.Result;
    }
}
