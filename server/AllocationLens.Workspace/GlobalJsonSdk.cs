using System.Text.Json;

namespace AllocationLens.Workspace;

/// <summary>
/// Whether the SDK registered in this process is one the nearest global.json above a folder accepts
/// (its `sdk.version` under its `rollForward` policy, as the dotnet host applies them). MSBuildWorkspace's
/// build host starts with the SDK the folder selects; a project loaded in this process uses the
/// registered one, so the in-process loader only loads projects for which the two are the same.
/// Unreadable or unusual files (prerelease pins, unknown policies) answer no: the build host then decides.
/// </summary>
public static class GlobalJsonSdk
{
    /// <param name="installed">Every SDK installed (MsBuildRegistration.InstalledSdks).</param>
    public static bool Allows(string folder, Version? registered, IReadOnlyList<Version> installed)
    {
        if (registered is null) return false;
        var file = Nearest(folder);
        var newest = installed.Count > 0 ? installed.Max() : registered;
        if (file is null) return registered == newest;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!json.RootElement.TryGetProperty("sdk", out var sdk) || sdk.ValueKind != JsonValueKind.Object || !sdk.TryGetProperty("version", out var versionText))
                return registered == newest;
            if (!Version.TryParse(versionText.GetString(), out var pinned) || pinned.Build < 0) return false;
            var policy = sdk.TryGetProperty("rollForward", out var roll) ? roll.GetString() ?? "" : "latestPatch";
            return Select(pinned, policy, installed.Contains(registered) ? installed : [.. installed, registered]) == registered;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The SDK the host picks for a pinned version and roll-forward policy, or null: "patch" and
    /// "disable" prefer the pinned version itself, "feature", "minor" and "major" the newest patch of its
    /// feature band, then of the nearest band above it that they accept; the "latest" policies the newest
    /// SDK they accept. A feature band is an SDK's patch
    /// number's hundreds (10.0.401 is in 10.0.4xx).
    /// </summary>
    public static Version? Select(Version pinned, string policy, IReadOnlyList<Version> installed)
    {
        static int Band(Version v) => v.Build / 100;
        bool SameBand(Version v) => v.Major == pinned.Major && v.Minor == pinned.Minor && Band(v) == Band(pinned);
        bool SameMinor(Version v) => v.Major == pinned.Major && v.Minor == pinned.Minor;
        bool SameMajor(Version v) => v.Major == pinned.Major;
        var above = installed.Where(v => v >= pinned).ToList();
        Version? Newest(Func<Version, bool> accept) => above.Where(accept).DefaultIfEmpty().Max();
        // The newest patch of the lowest feature band above the pin that the policy accepts.
        Version? NearestBand(Func<Version, bool> accept)
        {
            var lowest = above.Where(accept).DefaultIfEmpty().Min();
            return lowest is null ? null : above.Where(v => v.Major == lowest.Major && v.Minor == lowest.Minor && Band(v) == Band(lowest)).Max();
        }
        return policy.ToLowerInvariant() switch
        {
            "disable" => installed.Contains(pinned) ? pinned : null,
            "patch" => installed.Contains(pinned) ? pinned : Newest(SameBand),
            "feature" => Newest(SameBand) ?? NearestBand(SameMinor),
            "minor" => Newest(SameBand) ?? NearestBand(SameMajor),
            "major" => Newest(SameBand) ?? NearestBand(_ => true),
            "latestpatch" => Newest(SameBand),
            "latestfeature" => Newest(SameMinor),
            "latestminor" => Newest(SameMajor),
            "latestmajor" => Newest(_ => true),
            _ => null,
        };
    }

    /// <summary>
    /// Null when the nearest global.json above <paramref name="folder"/> selects an installed SDK (or there is
    /// none); otherwise a sentence naming the file, the version and roll-forward it asks for, and the SDKs
    /// installed. No SDK the host would select means no project there can be evaluated or restored.
    /// A prerelease pin ("11.0.100-preview.3") is compared by its version: a release of it is newer.
    /// </summary>
    public static string? Unsatisfied(string folder, IReadOnlyList<Version> installed)
    {
        if (Nearest(folder) is not { } file) return null;
        string versionText, policy;
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!json.RootElement.TryGetProperty("sdk", out var sdk) || sdk.ValueKind != JsonValueKind.Object
                || !sdk.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.String)
                return null;
            versionText = version.GetString() ?? "";
            policy = sdk.TryGetProperty("rollForward", out var roll) && roll.ValueKind == JsonValueKind.String ? roll.GetString() ?? "latestPatch" : "latestPatch";
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null; // the host reports a malformed file itself, and the load says what it said
        }
        if (!Version.TryParse(versionText.Split('-')[0], out var pinned) || pinned.Build < 0) return null;
        if (installed.Count == 0 || Select(pinned, policy, installed) is not null) return null;
        return $"{file} asks for .NET SDK {versionText} (rollForward {policy}), which is not installed " +
               $"(installed: {string.Join(", ", installed.OrderByDescending(v => v))}), so projects under it cannot be loaded";
    }

    /// <summary>The global.json the host reads for a folder: the nearest one above it, if any.</summary>
    public static string? Nearest(string folder)
    {
        for (var dir = Path.GetFullPath(folder); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            var candidate = Path.Combine(dir, "global.json");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
