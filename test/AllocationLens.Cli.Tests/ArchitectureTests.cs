using System.Reflection;
using Xunit;

namespace AllocationLens.Cli.Tests;

/// <summary>The dependency invariants of docs/architecture.md, checked on the built assemblies.</summary>
public sealed class ArchitectureTests
{
    private static HashSet<string> References(string assembly) =>
        Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).ToHashSet();

    [Fact]
    public void The_engine_knows_nothing_of_protocol_workspace_or_msbuild()
    {
        var refs = References("AllocationLens.Analysis");
        Assert.DoesNotContain(refs, r => r.StartsWith("AllocationLens.", StringComparison.Ordinal));
        Assert.DoesNotContain(refs, r => r.StartsWith("Microsoft.Build", StringComparison.Ordinal));
        Assert.DoesNotContain("Microsoft.CodeAnalysis.Workspaces", refs);
        Assert.DoesNotContain("System.Text.Json", refs);
    }

    [Fact]
    public void The_protocol_layer_knows_nothing_of_roslyn()
    {
        var refs = References("AllocationLens.Protocol");
        Assert.DoesNotContain(refs, r => r.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) || r.StartsWith("AllocationLens.", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_workspace_layer_touches_msbuild()
    {
        foreach (var assembly in new[] { "AllocationLens.Analysis", "AllocationLens.Protocol", "AllocationLens.Server", "allocation-lens" })
            Assert.DoesNotContain(References(assembly), r => r.StartsWith("Microsoft.Build", StringComparison.Ordinal));
        Assert.Contains("Microsoft.Build.Locator", References("AllocationLens.Workspace"));
    }

    [Fact]
    public void Dependencies_point_one_way()
    {
        Assert.DoesNotContain(References("AllocationLens.Workspace"), r => r is "AllocationLens.Server" or "AllocationLens.Protocol" or "allocation-lens");
        Assert.DoesNotContain("allocation-lens", References("AllocationLens.Server"));
    }

    [Fact]
    public void The_verification_layer_sits_beside_the_engine_and_the_jit_host_depends_on_nothing_of_ours()
    {
        // The engine stays free of processes and builds: it never references the verification layer.
        Assert.DoesNotContain("AllocationLens.Verification", References("AllocationLens.Analysis"));
        var verification = References("AllocationLens.Verification");
        Assert.DoesNotContain(verification, r => r is "AllocationLens.Server" or "AllocationLens.Protocol" or "AllocationLens.Workspace" or "allocation-lens");
        Assert.DoesNotContain(verification, r => r.StartsWith("Microsoft.Build", StringComparison.Ordinal));
        // The host runs inside the process whose JIT output is read: only the framework, and net8.0 so every runtime from 8 runs it.
        var hostPath = Path.Combine(AppContext.BaseDirectory, "jit-host", "allocation-lens-jit-host.dll");
        var host = Assembly.LoadFile(hostPath);
        Assert.DoesNotContain(host.GetReferencedAssemblies(), r => r.Name!.StartsWith("AllocationLens", StringComparison.Ordinal) || r.Name!.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        Assert.Contains(".NETCoreApp,Version=v8.0", host.GetCustomAttribute<System.Runtime.Versioning.TargetFrameworkAttribute>()!.FrameworkName);
    }

    [Fact]
    public void The_measurement_layer_sits_beside_the_engine_like_verification()
    {
        // Measure starts processes and reads traces: the engine never references it, and it knows nothing
        // of the editor, the protocol, MSBuild or the command line.
        Assert.DoesNotContain("AllocationLens.Measurement", References("AllocationLens.Analysis"));
        Assert.DoesNotContain("AllocationLens.Measurement", References("AllocationLens.Verification"));
        var measurement = References("AllocationLens.Measurement");
        Assert.DoesNotContain(measurement, r => r is "AllocationLens.Server" or "AllocationLens.Protocol" or "AllocationLens.Workspace" or "allocation-lens");
        Assert.DoesNotContain(measurement, r => r.StartsWith("Microsoft.Build", StringComparison.Ordinal));
    }

    [Fact]
    public void Only_the_protocol_layer_and_the_cli_write_stdout()
    {
        var root = Path.GetDirectoryName(typeof(ArchitectureTests).Assembly.Location)!;
        for (var dir = root; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (!File.Exists(Path.Combine(dir, "server.sln"))) continue;
            var offenders = new[] { "AllocationLens.Analysis", "AllocationLens.Server", "AllocationLens.Workspace", "AllocationLens.Verification", "AllocationLens.Measurement" }
                .SelectMany(p => Directory.GetFiles(Path.Combine(dir, "server", p), "*.cs", SearchOption.AllDirectories))
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
                .Where(f => File.ReadAllText(f) is var text && (text.Contains("Console.Write", StringComparison.Ordinal) || text.Contains("Console.Out", StringComparison.Ordinal) || text.Contains("OpenStandardOutput", StringComparison.Ordinal)))
                .ToList();
            Assert.Empty(offenders);
            return;
        }
        Assert.Fail("repository root not found");
    }

    /// <summary>
    /// The server runs MSBuild in its own process, whose build changes the current directory while other
    /// requests run: no server-side code may read it (or start a process that inherits it). The one
    /// exception is MsBuildGate, under which MSBuildWorkspace starts its build host (a child we cannot give
    /// a working directory): it makes sure the directory that child inherits exists.
    /// </summary>
    [Fact]
    public void No_server_side_code_relies_on_the_current_directory()
    {
        var root = Path.GetDirectoryName(typeof(ArchitectureTests).Assembly.Location)!;
        for (var dir = root; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (!File.Exists(Path.Combine(dir, "server.sln"))) continue;
            var offenders = new[] { "AllocationLens.Analysis", "AllocationLens.Server", "AllocationLens.Workspace", "AllocationLens.Verification", "AllocationLens.Protocol" }
                .SelectMany(p => Directory.GetFiles(Path.Combine(dir, "server", p), "*.cs", SearchOption.AllDirectories))
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && Path.GetFileName(f) != "MsBuildGate.cs")
                .Where(f => File.ReadAllText(f) is var text && (text.Contains("CurrentDirectory", StringComparison.Ordinal)
                    || (text.Contains("new ProcessStartInfo", StringComparison.Ordinal) && !text.Contains("WorkingDirectory =", StringComparison.Ordinal))))
                .ToList();
            Assert.Empty(offenders);
            return;
        }
        Assert.Fail("repository root not found");
    }
}
