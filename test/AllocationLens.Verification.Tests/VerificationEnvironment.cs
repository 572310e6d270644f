using Xunit;
using System.Diagnostics;

namespace AllocationLens.Verification.Tests;

/// <summary>
/// Once per test run: the runtimes of scripts/runtimes.sh laid out (8.0.34, 9.0.23, 10.0.12, 11.0.0),
/// and a verification cache inside artifacts/ so tests never share builds with a user's cache.
/// </summary>
public sealed class VerificationEnvironment
{
    public string RepositoryRoot { get; }

    public VerificationEnvironment()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "server.sln"))) dir = dir.Parent;
        RepositoryRoot = dir?.FullName ?? throw new InvalidOperationException("server.sln not found above the test output");
        Environment.SetEnvironmentVariable("ALLOCATION_LENS_VERIFY_CACHE", Path.Combine(RepositoryRoot, "artifacts", "verify-cache"));
        var script = Process.Start(new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot, "scripts", "runtimes.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = script.StandardOutput.ReadToEnd();
        var errors = script.StandardError.ReadToEnd();
        script.WaitForExit();
        if (script.ExitCode != 0) throw new InvalidOperationException($"scripts/runtimes.sh failed: {errors}");
        Environment.SetEnvironmentVariable("ALLOCATION_LENS_RUNTIMES", output.Trim().Split('\n')[^1]);
    }

    public string Project(string name) => Path.Combine(RepositoryRoot, "test", "projects", name, name + ".csproj");

    /// <summary>A private copy of a test project, for tests that break it or must not reuse a build.</summary>
    public string CopyProject(string name)
    {
        var source = Path.GetDirectoryName(Project(name))!;
        var target = Path.Combine(RepositoryRoot, "artifacts", "verify-projects", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(target, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(target, "Directory.Packages.props"), "<Project />");
        return Path.Combine(target, name + ".csproj");
    }
}

[CollectionDefinition("verification")]
public sealed class VerificationCollection : ICollectionFixture<VerificationEnvironment>;
