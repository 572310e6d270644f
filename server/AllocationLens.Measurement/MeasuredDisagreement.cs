using AllocationLens.Analysis;

namespace AllocationLens.Measurement;

/// <summary>
/// Where the legs disagree on a measured site: the static verdict, or the JIT's verdict on the runtime
/// the site was judged for, says `stack`, yet the run allocated there. A `stack` that holds whatever the
/// JIT does (a cached delegate, `Array.Empty`) still allocates once per process that runs it, and one
/// object gives at most one sample, so it disagrees only with more samples than processes.
/// </summary>
public static class MeasuredDisagreement
{
    /// <param name="jitStackRuntime">The runtime whose JIT said `stack` for the site ("10.0.12"), or null.</param>
    public static string? Of(AllocationSite site, double bytes, int samples, int processes, string? jitStackRuntime)
    {
        if (samples == 0) return null;
        if (site.Kind == AllocationKind.Stack && (!site.VerdictNeedsNoJit || samples > processes))
            return $"static stack, yet measured ~{MeasuredFormat.Bytes(bytes)}";
        if (jitStackRuntime is not null)
            return $"JIT .NET {jitStackRuntime} stack, yet measured ~{MeasuredFormat.Bytes(bytes)}";
        return null;
    }
}
