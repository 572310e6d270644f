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

    /// <summary>Sites without samples whose code provably ran often enough that an allocation there would have been sampled (any verdict).</summary>
    public Dictionary<AllocationSite, UnsampledEvidence> Unsampled { get; } = [];

    /// <summary>Estimated allocations whose stacks hold no frame of the user's code (the test host, the framework on its own).</summary>
    public SiteMeasurement Outside { get; } = new();

    /// <summary>"AllocationSampled" or "AllocationTick" (when any process of the run had only ticks, "AllocationTick" is named too).</summary>
    public IReadOnlyList<string> Sources { get; init; } = [];

    /// <summary>How many .NET processes were recorded.</summary>
    public int Processes { get; init; }

    /// <summary>Ran often where the trace saw its method at tier 1 or OSR; else ran when it took samples; else what its method's compilation says.</summary>
    public SiteCoverage CoverageOf(AllocationSite site) =>
        Coverage.GetValueOrDefault(site) == SiteCoverage.RanOften ? SiteCoverage.RanOften
        : Sites.ContainsKey(site) ? SiteCoverage.Ran
        : Coverage.GetValueOrDefault(site, SiteCoverage.NotMeasured);
}
