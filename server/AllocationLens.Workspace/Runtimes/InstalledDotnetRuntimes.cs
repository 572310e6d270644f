using System.Runtime.InteropServices;

namespace AllocationLens.Workspace;

/// <summary>
/// The .NET runtimes installed beside the one this process runs on: the versions under its
/// `shared/Microsoft.NETCore.App` folder, which is what `dotnet --list-runtimes` reads for that host.
/// The server and the CLI roll forward to the newest one, so that host is the user's `dotnet`.
/// </summary>
public static class InstalledDotnetRuntimes
{
    private static IReadOnlyList<Version>? _versions;

    /// <summary>Every installed Microsoft.NETCore.App version, newest first (the running one at least).</summary>
    public static IReadOnlyList<Version> Versions() => _versions ??= Read();

    private static IReadOnlyList<Version> Read()
    {
        var found = new List<Version>();
        try
        {
            // .../shared/Microsoft.NETCore.App/10.0.12/ → its siblings are the other installed versions.
            var current = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            var shared = Path.GetDirectoryName(current);
            if (shared is not null && Directory.Exists(shared))
                foreach (var dir in Directory.EnumerateDirectories(shared))
                    if (Version.TryParse(Path.GetFileName(dir).Split('-')[0], out var version) && File.Exists(Path.Combine(dir, "System.Private.CoreLib.dll")))
                        found.Add(version);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        if (found.Count == 0) found.Add(new Version(Environment.Version.Major, Environment.Version.Minor, Environment.Version.Build));
        return found.OrderByDescending(v => v).ToList();
    }
}
