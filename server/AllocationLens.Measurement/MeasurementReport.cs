using AllocationLens.Analysis;

namespace AllocationLens.Measurement;

/// <summary>
/// A measured run charged to the engine's sites: per site the estimated totals, whether its code ran,
/// the unexplained allocations (user code, no site), and what was allocated outside the user's code.
/// </summary>
public sealed class MeasurementReport
{
    public Dictionary<AllocationSite, SiteMeasurement> Sites { get; } = [];
    public Dictionary<AllocationSite, SiteCoverage> Coverage { get; } = [];
    public List<UnexplainedAllocation> Unexplained { get; } = [];

    /// <summary>Estimated allocations whose stacks hold no frame of the user's code (the test host, the framework on its own).</summary>
    public SiteMeasurement Outside { get; } = new();

    /// <summary>"AllocationSampled" or "AllocationTick" (when any process of the run had only ticks, "AllocationTick" is named too).</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>How many .NET processes were recorded.</summary>
    public int Processes { get; init; }

    public SiteCoverage CoverageOf(AllocationSite site) => Sites.ContainsKey(site) ? SiteCoverage.Ran : Coverage.GetValueOrDefault(site, SiteCoverage.NotMeasured);
}
