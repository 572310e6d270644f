using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>Which processes of a run are recorded with the JIT's events: those whose program is one of the user's assemblies.</summary>
public sealed class RecordingDepthTests
{
    private static readonly RecordingDepth Depth = new(new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "MeasureFixture", "App" });

    [Fact]
    public void Only_a_process_whose_program_is_a_user_assembly_runs_user_code()
    {
        // The test host loads the tests in process: its runtimeconfig and deps name them.
        Assert.True(Depth.RunsUserCode(["/usr/share/dotnet/dotnet", "exec", "--runtimeconfig", "/p/bin/MeasureFixture.runtimeconfig.json",
            "--depsfile", "/p/bin/MeasureFixture.deps.json", "/p/bin/testhost.dll", "--port", "1"]));
        Assert.True(Depth.RunsUserCode(["dotnet", "exec", "--fx-version", "8.0.34", "/p/bin/App.dll"]));
        Assert.True(Depth.RunsUserCode(["dotnet", "/p/bin/App.dll", "--verbose"]));
        // The CLI and vstest's console are handed the project or the test assembly, yet run neither.
        Assert.False(Depth.RunsUserCode(["dotnet", "test", "/p/MeasureFixture", "-c", "Release"]));
        Assert.False(Depth.RunsUserCode(["/usr/share/dotnet/dotnet", "exec", "/usr/share/dotnet/sdk/10.0.401/vstest.console.dll",
            "--framework:.NETCoreApp,Version=v10.0", "/p/bin/MeasureFixture.dll"]));
        Assert.False(Depth.RunsUserCode(["dotnet", "run", "--project", "/p/App"]));
        // An apphost counts only as an existing file of that name.
        Assert.False(Depth.RunsUserCode(["/p/bin/App"]));
    }

    [Fact]
    public void Without_a_list_of_assemblies_every_process_is_recorded_in_full()
    {
        Assert.False(new RecordingDepth(null).IsLight(Environment.ProcessId));
        Assert.False(new RecordingDepth(new HashSet<string>()).IsLight(Environment.ProcessId));
    }
}
