namespace AllocationLens.Bench;

/// <summary>Robust summaries of noisy timings: the median, not the mean, so one GC pause does not move a figure.</summary>
public static class Statistics
{
    public static double Median(List<double> values)
    {
        if (values.Count == 0) return double.NaN;
        values.Sort();
        return values[values.Count / 2];
    }
}
