using Xunit;

namespace AllocationLens.Workspace.Tests;

/// <summary>
/// MSBuildWorkspace's build host inherits the process's current directory, which in-process MSBuild
/// moves (MsBuildGate). In CI a load through it found no project at all, once, because the directory
/// had been deleted meanwhile.
/// </summary>
[Collection(InProcessMSBuildCollection.Name)]
public sealed class MsBuildGateTests
{
    public MsBuildGateTests() => Assert.Null(MsBuildRegistration.EnsureRegistered());

    /// <summary>
    /// Started from a deleted folder, the build host never ran: 0 projects in half a second, and for a
    /// solution no failure either ("Unable to find the specified file" only in the log).
    /// </summary>
    [Theory]
    [InlineData("Net10App/Net10App.csproj", 1)]
    [InlineData("Slnx/Slnx.slnx", 2)]
    public async Task A_build_host_started_while_the_current_directory_is_deleted_still_loads(string target, int projects)
    {
        var original = AppContext.BaseDirectory;
        var gone = Path.Combine(Path.GetTempPath(), "allocation-lens-gone-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(gone);
        try
        {
            Directory.SetCurrentDirectory(gone);
            Directory.Delete(gone);
            var log = new List<string>();
            var loaded = await WorkspaceLoader.LoadAsync(Path.Combine(TestPaths.Root, "test", "projects", target), line => { lock (log) log.Add(line); }, inProcess: false);
            Assert.True(loaded.Solution.Projects.Count() == projects, "the build host did not load: " + string.Join(" | ", log));
            Assert.Empty(loaded.Failures);
        }
        finally { Directory.SetCurrentDirectory(original); }
    }

    /// <summary>A solution MSBuildWorkspace cannot open is a failure its files are judged ad hoc with, not a silent empty load.</summary>
    [Fact]
    public async Task A_solution_that_does_not_open_is_a_failure_with_its_reason()
    {
        var root = Path.Combine(Path.GetTempPath(), "allocation-lens-badsln-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            Directory.CreateDirectory(root);
            var solution = Path.Combine(root, "Broken.slnx");
            File.WriteAllText(solution, "<Solution><Project Path=");
            File.WriteAllText(Path.Combine(root, "A.cs"), "class A { object M() => new A(); }");
            foreach (var inProcess in (bool[])[false, true])
            {
                var log = new List<string>();
                var loaded = await WorkspaceLoader.LoadAsync(solution, line => { lock (log) log.Add(line); }, inProcess: inProcess, restore: false);
                Assert.Empty(loaded.Solution.Projects);
                var failure = loaded.FailureFor(Path.Combine(root, "A.cs"));
                Assert.NotNull(failure);
                Assert.Equal(solution, failure.ProjectPath);
                Assert.StartsWith("MSBuild could not load Broken.slnx (", failure.Message, StringComparison.Ordinal);
                // The in-process loader's decline says why in one line, not with MSBuild's stack trace.
                Assert.All(log, line => Assert.DoesNotContain("\n", line, StringComparison.Ordinal));
            }
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public async Task The_gate_lets_one_holder_in_at_a_time_and_letting_go_twice_counts_once()
    {
        var first = await MsBuildGate.EnterAsync(CancellationToken.None);
        var second = MsBuildGate.EnterAsync(CancellationToken.None);
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        first.Dispose();
        first.Dispose();
        (await second.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        var third = MsBuildGate.EnterAsync(CancellationToken.None);
        var fourth = MsBuildGate.EnterAsync(CancellationToken.None);
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        (await fourth.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
    }
}
