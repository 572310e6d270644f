using Xunit;
namespace AllocationLens.Verification.Tests;

/// <summary>What "Verify with JIT" does with input that cannot be verified: a clear message, never a crash or a hang.</summary>
[Collection("verification")]
public class VerifyBadInputTests(VerificationEnvironment environment)
{
    private static VerifyRequest Request(string project, params string[] runtimes) => new(project, [], "net8.0", [], runtimes);

    [Fact]
    public async Task A_project_that_does_not_compile_reports_the_compiler_errors()
    {
        var project = environment.CopyProject("VerifyNet8");
        File.WriteAllText(Path.Combine(Path.GetDirectoryName(project)!, "Broken.cs"), "class Broken { int M() => \"text\"; }");
        var run = await JitVerifier.VerifyAsync(Request(project, "10.0"), null, CancellationToken.None);
        Assert.False(run.Succeeded);
        Assert.Contains("Release build failed", run.Problem);
        Assert.Contains("error CS0029", run.Problem);
    }

    [Fact]
    public async Task An_unchanged_project_reuses_its_build_and_an_edit_rebuilds_it()
    {
        var project = environment.CopyProject("VerifyNet8");
        var first = await JitVerifier.VerifyAsync(Request(project, "10.0"), null, CancellationToken.None);
        var second = await JitVerifier.VerifyAsync(Request(project, "10.0"), null, CancellationToken.None);
        Assert.True(first.Succeeded, first.Problem);
        Assert.False(first.Build!.Reused);
        Assert.True(second.Build!.Reused);
        File.AppendAllText(Path.Combine(Path.GetDirectoryName(project)!, "Cases.cs"), "\n// edited\n");
        var third = await JitVerifier.VerifyAsync(Request(project, "10.0"), null, CancellationToken.None);
        Assert.False(third.Build!.Reused);
    }

    [Fact]
    public async Task A_long_build_can_be_cancelled()
    {
        var project = environment.CopyProject("VerifyNet8");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => JitVerifier.VerifyAsync(Request(project, "10.0"), null, cancel.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(30), "cancellation must stop the build promptly");
    }

    [Fact]
    public async Task A_host_that_hangs_is_stopped_after_its_timeout_and_says_so()
    {
        var build = await ReleaseBuild.BuildProjectAsync(environment.Project("VerifyNet8"), "net8.0", null, CancellationToken.None);
        Assert.True(build.Succeeded, string.Join("\n", build.Errors));
        var runtime = InstalledRuntimes.Discover().First(r => r.Version.Major == 10);
        var saved = JitHostRun.Timeout;
        JitHostRun.Timeout = TimeSpan.FromMilliseconds(50); // shorter than the host's start-up: it is killed mid-way
        try
        {
            var result = await JitHostRun.RunAsync(runtime, build.AssemblyPath!, [], CancellationToken.None);
            Assert.Contains("did not finish within", result.Error);
        }
        finally { JitHostRun.Timeout = saved; }
    }

    [Fact]
    public async Task A_host_that_fails_reports_its_exit_code_and_message()
    {
        var runtime = InstalledRuntimes.Discover().First(r => r.Version.Major == 10);
        var notAnAssembly = Path.Combine(environment.RepositoryRoot, "README.md");
        var result = await JitHostRun.RunAsync(runtime, notAnAssembly, [], CancellationToken.None);
        Assert.Null(result.Report?.Methods.FirstOrDefault());
        Assert.Contains("exited with code 3", result.Error);
        Assert.Contains("could not read", result.Error);
    }

    [Fact]
    public async Task No_runtime_that_can_run_the_build_is_a_clear_problem()
    {
        var run = await JitVerifier.VerifyAsync(Request(environment.Project("VerifyNet8"), "7.0"), null, CancellationToken.None);
        Assert.False(run.Succeeded);
        Assert.Contains("no installed .NET runtime matching --runtime 7.0 can run a net8.0 build", run.Problem);
    }

    [Fact]
    public void ReadyToRun_and_NativeAOT_projects_are_told_what_the_verdicts_describe()
    {
        var project = environment.CopyProject("VerifyNet8");
        Assert.Empty(JitVerifier.PublishLimits(project));
        File.WriteAllText(project, File.ReadAllText(project).Replace("</PropertyGroup>", "<PublishAot>true</PublishAot><PublishReadyToRun>true</PublishReadyToRun></PropertyGroup>"));
        var limits = JitVerifier.PublishLimits(project);
        Assert.Contains(limits, l => l.Contains("NativeAOT", StringComparison.Ordinal));
        Assert.Contains(limits, l => l.Contains("ReadyToRun", StringComparison.Ordinal));
    }

    [Fact]
    public void A_project_reference_spelled_with_msbuild_properties_never_reuses_a_build_and_never_throws()
    {
        var project = environment.CopyProject("VerifyNet8");
        File.WriteAllText(project, File.ReadAllText(project).Replace("</Project>", "<ItemGroup><ProjectReference Include=\"$(RepoRoot)/gen/Gen.csproj\" /></ItemGroup></Project>"));
        var first = ReleaseBuild.Fingerprint(project, null);
        var second = ReleaseBuild.Fingerprint(project, null);
        Assert.NotEqual(first, second);
    }
}
