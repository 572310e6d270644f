using AllocationLens.Analysis;

namespace AllocationLens.Measurement;

/// <summary>
/// Estimated totals of a run at one site: bytes and objects (sums of <see cref="SampleWeight"/>), the
/// number of allocation events behind them (the estimate's precision: about ±2/√samples at 95%), the
/// allocated types, most bytes first, and the tests that were running when the samples were taken.
/// </summary>
public sealed class SiteMeasurement
{
    public double Bytes { get; private set; }
    public double Objects { get; private set; }
    public int Samples { get; private set; }

    /// <summary>Samples taken in unoptimized (tier-0) code: a verdict about optimized code is neither proven nor disproven by them.</summary>
    public int UnoptimizedSamples { get; private set; }

    public int OptimizedSamples => Samples - UnoptimizedSamples;
    private readonly Dictionary<string, double> _types = new(StringComparer.Ordinal);

    private readonly Dictionary<string, double> _tests = new(StringComparer.Ordinal);

    public IEnumerable<(string Type, double Bytes)> Types => _types.OrderByDescending(t => t.Value).Select(t => (t.Key, t.Value));

    /// <summary>How many distinct tests had samples here.</summary>
    public int TestCount => _tests.Count;

    /// <summary>The tests with the most estimated bytes here, most first (ties by name, so the order is stable).</summary>
    public IEnumerable<(string Test, double Bytes)> TopTests(int count) =>
        _tests.OrderByDescending(t => t.Value).ThenBy(t => t.Key, StringComparer.Ordinal).Take(count).Select(t => (t.Key, t.Value));

    public void Add(SampleGroup group)
    {
        Bytes += group.Bytes;
        Objects += group.Objects;
        Samples += group.Samples;
        if (group.Frame is { Unoptimized: true }) UnoptimizedSamples += group.Samples;
        _types[group.TypeName] = _types.GetValueOrDefault(group.TypeName) + group.Bytes;
        if (group.Test is { } test) _tests[test] = _tests.GetValueOrDefault(test) + group.Bytes;
    }
}

/// <summary>
/// Allocations made in the user's code where the engine reports no site: the model's blind spots. Keyed by
/// the user frame's source location (or its method, without a PDB) and the allocated type.
/// </summary>
public sealed record UnexplainedAllocation(string TypeName, string? Path, int Line, int Column, string Method)
{
    public SiteMeasurement Measured { get; } = new();
}

/// <summary>Whether a site's code ran in the measured run, as far as the trace can tell.</summary>
public enum SiteCoverage
{
    /// <summary>No process of the run loaded the site's assembly, or its code has no sequence point: nothing is known.</summary>
    NotMeasured,
    /// <summary>The assembly was loaded and the method that holds the site was never compiled: it never ran.</summary>
    NeverRan,
    /// <summary>The method that holds the site was compiled, so it ran at least once.</summary>
    Ran,
    /// <summary>
    /// The method that holds the site was recompiled at tier 1 (called at least about 30 times) or on-stack
    /// replaced (a loop of it ran thousands of iterations). Not by itself enough to expect samples at a site:
    /// see <see cref="UnsampledEvidence"/>.
    /// </summary>
    RanOften,
}

/// <summary>
/// Why a site without samples cannot have allocated as its verdict says: the code around it ran at least
/// <see cref="Executions"/> times (a measured one-object site in the same basic block made that many objects),
/// so even at the smallest size the site could allocate, <see cref="ExpectedSamples"/> samples would have
/// fallen on it. See <see cref="BlockExecutions"/>.
/// </summary>
public sealed record UnsampledEvidence(double Executions, double ExpectedSamples, AllocationSite Neighbour);
