using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>
/// A measured run that hangs, crashes or cannot start ends with a clear message and leaves no process
/// behind; the tool itself never crashes.
/// </summary>
[Collection(FixtureCollection.Name)]
public sealed class SafetyTests
{
    [Fact]
    public async Task A_hanging_test_host_is_killed_at_the_timeout_with_its_whole_tree()
    {
        var (code, output, err) = await MeasureRun.Measure([MeasureRun.Fixture, "--timeout", "40"],
            environment: new() { ["MEASURE_FIXTURE_MISBEHAVE"] = "hang" });
        Assert.Equal(1, code);
        Assert.Contains("took longer than 40 s", err);
        // The report of what was recorded until then is still written.
        Assert.Contains("measured: dotnet test", output);
        Assert.Empty(FixtureProcesses());
    }

    [Fact]
    public async Task A_crashing_test_host_still_gives_a_report_and_says_the_run_failed()
    {
        var (code, output, err) = await MeasureRun.Measure([MeasureRun.Fixture],
            environment: new() { ["MEASURE_FIXTURE_MISBEHAVE"] = "crash" });
        Assert.Equal(0, code);
        Assert.Contains("exited with code", err);
        Assert.Contains("Workloads.cs", output);
        Assert.Empty(FixtureProcesses());
    }

    [Fact]
    public async Task A_command_that_cannot_start_is_a_clear_message()
    {
        var (code, _, err) = await MeasureRun.Measure([MeasureRun.Fixture], command: ["/nonexistent/allocation-lens-no-such-program"]);
        Assert.Equal(1, code);
        Assert.Contains("could not start /nonexistent/allocation-lens-no-such-program", err);
    }

    [Fact]
    public async Task A_project_that_does_not_build_is_a_clear_message_and_nothing_runs()
    {
        // test/projects/Broken names an SDK that does not exist: analysed on its own, never built.
        var (code, output, err) = await MeasureRun.Measure([Path.Combine(MeasureRun.Root, "test", "projects", "Broken")]);
        Assert.Equal(1, code);
        Assert.Contains("dotnet build failed", err);
        Assert.Empty(output);
    }

    [Fact]
    public async Task A_lone_file_is_refused_with_a_sentence()
    {
        var (code, _, err) = await MeasureRun.Measure([Path.Combine(MeasureRun.Fixture, "Workloads.cs")]);
        Assert.Equal(1, code);
        Assert.Contains("runs the tests of a project, a solution or a folder", err);
    }

    [Fact]
    public async Task Cancelling_stops_the_run_and_its_processes()
    {
        using var cancel = new CancellationTokenSource();
        var run = MeasureRun.Measure([MeasureRun.Fixture], environment: new() { ["MEASURE_FIXTURE_MISBEHAVE"] = "hang" }, cancellationToken: cancel.Token);
        // Cancel once the test host is up (it hangs from then on).
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (!FixtureProcesses().Any(p => p.Contains("testhost", StringComparison.OrdinalIgnoreCase)) && DateTime.UtcNow < deadline && !run.IsCompleted)
            await Task.Delay(200);
        cancel.Cancel();
        var (code, _, err) = await run;
        Assert.Equal(130, code);
        Assert.Contains("cancelled", err);
        Assert.Empty(FixtureProcesses());
    }

    /// <summary>
    /// Command lines of processes running this checkout's fixture (Linux /proc; elsewhere nothing is checked).
    /// Other checkouts' runs of the fixture on the same machine (another worker's tests) are not this run's.
    /// </summary>
    private static List<string> FixtureProcesses() => MeasureRun.ProcessesNaming(MeasureRun.Fixture);
}
