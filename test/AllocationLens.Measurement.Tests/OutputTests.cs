using AllocationLens.Cli;
using AllocationLens.Measurement;
using Xunit;

namespace AllocationLens.Measurement.Tests;

/// <summary>How `measure` splits its arguments and words its estimates.</summary>
public sealed class OutputTests
{
    [Fact]
    public void Everything_after_the_double_dash_is_the_command_verbatim()
    {
        var (ours, command) = MeasureOptions.SplitCommand(["measure", "src", "--format", "json", "--", "dotnet", "run", "--format", "x"]);
        Assert.Equal(["measure", "src", "--format", "json"], ours);
        Assert.Equal(["dotnet", "run", "--format", "x"], command);
        Assert.Empty(MeasureOptions.SplitCommand(["analyze", "--", "x"]).Command);
        Assert.True(MeasureOptions.TryParse([], [], out var options, out _));
        Assert.Equal(".", options.Path);
        Assert.Equal("Release", options.Configuration);
        Assert.False(MeasureOptions.TryParse(["--timeout", "0"], [], out _, out var error));
        Assert.Contains("--timeout", error);
    }

    [Fact]
    public void Estimates_read_as_estimates()
    {
        Assert.Equal("1.2 MB", AllocationLens.Measurement.MeasuredFormat.Bytes(1_234_567));
        Assert.Equal("340 KB", AllocationLens.Measurement.MeasuredFormat.Bytes(340_123));
        Assert.Equal("912,000", AllocationLens.Measurement.MeasuredFormat.Count(912_138));
        Assert.Equal("37", AllocationLens.Measurement.MeasuredFormat.Count(37.4));
        var measured = new SiteMeasurement();
        var group = new SampleGroup(null, "System.String");
        group.Add(new SampleWeight(1_200_000, 50_000));
        measured.Add(group);
        Assert.Equal("~1.2 MB, ~50,000 objects (1 sample)", MeasuredLines.Figures(measured));
    }
}
