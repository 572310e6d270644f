using System.Globalization;

namespace AllocationLens.Measurement;

/// <summary>
/// How measured figures read everywhere (CLI, hints, hovers, lenses): estimates from sampling, so bytes
/// in decimal units with a few digits and counts to three significant digits, never a false tally.
/// </summary>
public static class MeasuredFormat
{
    /// <summary>1.2 MB, 340 KB, 512 B (decimal units, as `dotnet-counters` prints them).</summary>
    public static string Bytes(double bytes) => bytes switch
    {
        >= 1e9 => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB",
        >= 1e6 => (bytes / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        >= 1e3 => (bytes / 1e3).ToString("0", CultureInfo.InvariantCulture) + " KB",
        _ => bytes.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    /// <summary>A count to three significant digits (an estimate, not a tally): 912,138 → 912,000.</summary>
    public static string Count(double count)
    {
        if (count < 1000) return Math.Round(count).ToString("N0", CultureInfo.InvariantCulture);
        double scale = Math.Pow(10, Math.Floor(Math.Log10(count)) - 2);
        return (Math.Round(count / scale) * scale).ToString("N0", CultureInfo.InvariantCulture);
    }

    /// <summary>"37 samples", "1 sample".</summary>
    public static string Samples(int samples) => $"{samples.ToString("N0", CultureInfo.InvariantCulture)} sample{(samples == 1 ? "" : "s")}";
}
