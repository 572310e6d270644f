using System.Text.RegularExpressions;

namespace AllocationLens.Workspace;

/// <summary>
/// Whether an installed .NET SDK can build a target framework: netN.M needs an SDK whose major version
/// is at least N (SDK 10 stops at net10.0). Older monikers (netcoreapp3.1, netstandard2.0, net48) build
/// with any current SDK. Without a suitable SDK, MSBuild "loads" such a project with no references at
/// all, and its verdicts would be silently wrong, so the loader treats it as failed instead.
/// </summary>
public static partial class SdkSupport
{
    [GeneratedRegex(@"^net(?<major>\d+)\.\d+", RegexOptions.IgnoreCase)]
    private static partial Regex ModernMoniker();

    /// <summary>The smallest SDK major version that builds the target, or null when any SDK does.</summary>
    public static int? RequiredSdkMajor(string? targetFramework)
    {
        if (targetFramework is null) return null;
        var m = ModernMoniker().Match(targetFramework.Trim());
        return m.Success && int.TryParse(m.Groups["major"].Value, out int major) && major >= 5 ? major : null;
    }

    /// <summary>
    /// Null when one of the installed SDKs builds the target (or no SDK was found at all, which the
    /// registration reports); otherwise the sentence that names what is missing and what happens instead.
    /// </summary>
    public static string? MissingSdkMessage(string? targetFramework, IReadOnlyList<Version> installedSdks, string projectName) =>
        MissingSdk(targetFramework, installedSdks) is { } missing ? $"{missing}; {projectName} uses the ad-hoc fallback judged for {targetFramework}" : null;

    /// <summary>"The .NET SDK for net11.0 is not installed (found SDK 10.0.401)", or null as above.</summary>
    public static string? MissingSdk(string? targetFramework, IReadOnlyList<Version> installedSdks)
    {
        if (RequiredSdkMajor(targetFramework) is not int major || installedSdks.Count == 0) return null;
        if (installedSdks.Any(v => v.Major >= major)) return null;
        var found = string.Join(", ", installedSdks.OrderByDescending(v => v).Select(v => v.ToString()));
        return $"The .NET SDK for {targetFramework} is not installed (found SDK {found})";
    }
}
