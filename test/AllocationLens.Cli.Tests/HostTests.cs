using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>
/// Which runtime the real `allocation-lens` runs on, started as the editor starts it (`dotnet
/// allocation-lens.dll`): the newest one installed (rollForward LatestMajor), on a machine with .NET 10
/// and 11 and on one with only .NET 11 and no SDK. The .NET 11 runtime comes from scripts/runtimes.sh,
/// which lays out runtime packs from the NuGet feed outside the checkout.
/// </summary>
public sealed class HostTests : IDisposable
{
    private const string Net11 = "11.0.0";
    private readonly List<string> _roots = [];

    /// <summary>Removes the roots this test made: the links first (never what they point to), then the folders.</summary>
    public void Dispose()
    {
        foreach (var root in _roots)
        {
            foreach (var link in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Where(p => new FileInfo(p).LinkTarget is not null).ToList())
                Directory.Delete(link);
            Directory.Delete(root, recursive: true);
        }
    }
    private static readonly string Root = FindRoot();
    private static readonly string Dll = typeof(Program).Assembly.Location;

    private static string FindRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found");
    }

    [Fact]
    public void The_runtimeconfig_rolls_forward_to_the_newest_major()
    {
        var config = Path.ChangeExtension(Dll, ".runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(config));
        Assert.Equal("LatestMajor", json.RootElement.GetProperty("runtimeOptions").GetProperty("rollForward").GetString());
    }

    [Fact]
    public async Task With_net10_and_net11_installed_it_runs_on_net11_and_loads_with_the_sdk()
    {
        var runtimes = await LayOutRuntimes();
        // A dotnet root with the runtime these tests run on (10) and .NET 11; the SDK stays where it is.
        var root = NewRoot(runtimes);
        Link(Path.Combine(root, "shared", "Microsoft.NETCore.App", Environment.Version.ToString()), RuntimeEnvironment.GetRuntimeDirectory().TrimEnd('/'));
        var (code, stdout, stderr) = await Run(root, path: null, "--version");
        Assert.True(code == 0, stderr);
        Assert.Contains($"runtime .NET {Net11};", stdout);
        Assert.Matches(@"MSBuild from \.NET SDK \d+\.\d+\.\d+", stdout);
    }

    [Fact]
    public async Task With_only_net11_and_no_sdk_it_runs_and_judges_files_on_their_own()
    {
        var runtimes = await LayOutRuntimes();
        var root = NewRoot(runtimes);
        // PATH holds only this root: no SDK anywhere, as on a machine with just the .NET 11 runtime.
        var (code, stdout, stderr) = await Run(root, path: root, "--version");
        Assert.True(code == 0, stderr);
        Assert.Contains($"runtime .NET {Net11};", stdout);
        Assert.Contains("no .NET SDK was found, so projects cannot be loaded", stdout);

        // A loose file needs no SDK. Every site is found, the box too, so the framework's types were
        // referenced (the framework folder is a symlink here, as on some distributions).
        var file = Path.Combine(Root, "test", "projects", "Net10App", "Shapes.cs");
        (code, stdout, stderr) = await Run(root, path: root, "analyze", file);
        Assert.True(code == 0, stderr);
        var kinds = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(": ")[1]).ToList();
        Assert.Equal(["stack", "heap", "boxed"], kinds);

        // A project needs MSBuild: a load error that says what is missing.
        (code, _, stderr) = await Run(root, path: root, "analyze", Path.GetDirectoryName(file)!);
        Assert.Equal(1, code);
        Assert.Contains("no .NET SDK was found", stderr);
    }

    /// <summary>scripts/runtimes.sh with .NET 11 (idempotent; prints its root last).</summary>
    private static async Task<string> LayOutRuntimes()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root };
        start.ArgumentList.Add(Path.Combine(Root, "scripts", "runtimes.sh"));
        start.Environment["ALLOCATION_LENS_RUNTIME_VERSIONS"] = Net11;
        var (code, stdout, stderr) = await RunProcess(start, TimeSpan.FromMinutes(8));
        Assert.True(code == 0, $"scripts/runtimes.sh failed: {stderr}");
        var root = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim();
        Assert.True(File.Exists(Path.Combine(root, "shared", "Microsoft.NETCore.App", Net11, "System.Private.CoreLib.dll")), root);
        return root;
    }

    /// <summary>A fresh dotnet root holding the host and the .NET 11 runtime only.</summary>
    private string NewRoot(string runtimes)
    {
        var root = Path.Combine(Path.GetTempPath(), "allocation-lens-host-" + Guid.NewGuid().ToString("N"));
        _roots.Add(root);
        Directory.CreateDirectory(Path.Combine(root, "host"));
        Directory.CreateDirectory(Path.Combine(root, "shared", "Microsoft.NETCore.App"));
        // A copy, not a link: the host looks for frameworks beside its own resolved path. `cp` makes
        // it, not File.Copy: a write handle opened in this process is inherited by any child another
        // test forks meanwhile, and exec'ing the copy then fails with ETXTBSY ("Text file busy").
        CopyExecutable(Path.Combine(runtimes, "dotnet"), Path.Combine(root, "dotnet"));
        Link(Path.Combine(root, "host", "fxr"), Path.Combine(runtimes, "host", "fxr"));
        Link(Path.Combine(root, "shared", "Microsoft.NETCore.App", Net11), Path.Combine(runtimes, "shared", "Microsoft.NETCore.App", Net11));
        return root;
    }

    private static void CopyExecutable(string source, string target)
    {
        using var cp = Process.Start(new ProcessStartInfo("cp", ["-p", source, target]) { UseShellExecute = false })!;
        cp.WaitForExit();
        Assert.True(cp.ExitCode == 0, $"cp {source} {target} failed");
    }

    private static void Link(string path, string target) => Directory.CreateSymbolicLink(path, target);

    private static Task<(int Code, string Out, string Err)> Run(string root, string? path, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(root, "dotnet")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_ROOT"] = root;
        start.Environment["DOTNET_MULTILEVEL_LOOKUP"] = "0";
        // Whatever the test host was started with must not pick the runtime or the SDK for the child.
        foreach (var key in new[] { "DOTNET_ROLL_FORWARD", "DOTNET_HOST_PATH", "MSBUILD_EXE_PATH", "MSBuildExtensionsPath", "MSBuildSDKsPath", "DOTNET_MSBUILD_SDK_RESOLVER_CLI_DIR" })
            start.Environment.Remove(key);
        if (path is not null) start.Environment["PATH"] = path;
        return RunProcess(start, TimeSpan.FromMinutes(2));
    }

    private static async Task<(int, string, string)> RunProcess(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        return (process.ExitCode, await stdout, await stderr);
    }
}
