using Microsoft.Build.Locator;

namespace AllocationLens.Workspace;

/// <summary>
/// Registers the .NET SDK's MSBuild with MSBuildLocator. Must run before any method that touches a
/// Microsoft.Build type is JIT-compiled, so the entry point calls it first and nothing in this class
/// mentions those types.
/// </summary>
public static class MsBuildRegistration
{
    private static readonly object Gate = new();
    private static string? _error;
    private static bool _done;

    /// <summary>Every .NET SDK installed (newest first), whatever runtime it needs; empty until registration, or when none.</summary>
    public static IReadOnlyList<Version> InstalledSdks { get; private set; } = [];

    /// <summary>The SDK whose MSBuild was registered: the newest one that runs on this runtime.</summary>
    public static Version? RegisteredSdk { get; private set; }

    private const string Remedy = "install the .NET SDK 10 or later (in VS Code, the allocationLens.dotnetPath setting can name another dotnet)";

    /// <summary>The gist of a hostfxr error: "No .NET SDKs were found." rather than its links and error codes.</summary>
    private static string Gist(string message)
    {
        var first = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        const string marker = "Detailed error: ";
        var at = first.IndexOf(marker, StringComparison.Ordinal);
        return (at >= 0 ? first[(at + marker.Length)..] : first).TrimEnd('.');
    }

    /// <summary>A folder with no global.json above it: this program's own, else a fresh one under the temp folder.</summary>
    private static string NeutralDirectory()
    {
        var own = AppContext.BaseDirectory;
        if (GlobalJsonSdk.Nearest(own) is null) return own;
        try
        {
            var temp = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "allocation-lens-sdk-query")).FullName;
            if (GlobalJsonSdk.Nearest(temp) is null) return temp;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        return Path.GetPathRoot(own) ?? own;
    }

    /// <summary>Null when MSBuild is usable; otherwise a sentence saying why not (no SDK found).</summary>
    public static string? EnsureRegistered()
    {
        lock (Gate)
        {
            if (_done) return _error;
            _done = true;
            // The SDKs that can run in this process (their MSBuild needs this runtime or older): the
            // newest one is registered. The server rolls forward to the newest runtime installed, so
            // this is the newest SDK installed too.
            // Asked from a folder no global.json governs: the current directory's global.json may pin an SDK
            // that is not installed, and then hostfxr fails and prints the SDK list to stdout (into a JSON
            // report). Which SDK a project needs is the loader's question (GlobalJsonSdk), asked per project.
            var neutral = NeutralDirectory();
            List<VisualStudioInstance> instances;
            try
            {
                instances = MSBuildLocator.QueryVisualStudioInstances(new VisualStudioInstanceQueryOptions
                {
                    DiscoveryTypes = DiscoveryType.DotNetSdk,
                    WorkingDirectory = neutral,
                }).OrderByDescending(i => i.Version).ToList();
            }
            catch (Exception ex)
            {
                // hostfxr reports a machine with runtimes but no SDK as an error, not as an empty list.
                var gist = Gist(ex.Message);
                var detail = gist.Contains("No .NET SDKs were found", StringComparison.Ordinal) ? "" : $" ({gist})";
                return _error = $"no .NET SDK was found{detail}, so projects cannot be loaded; {Remedy}";
            }
            if (instances.Count == 0)
                return _error = $"no .NET SDK was found, so projects cannot be loaded; {Remedy}";
            // Every SDK installed, for saying which target frameworks can be built: projects are
            // evaluated out of process by Roslyn's build host, which is not bound to our runtime.
            var all = instances.Select(i => i.Version).ToList();
            try
            {
                all.AddRange(MSBuildLocator.QueryVisualStudioInstances(new VisualStudioInstanceQueryOptions
                {
                    DiscoveryTypes = DiscoveryType.DotNetSdk,
                    AllowAllRuntimeVersions = true,
                    WorkingDirectory = neutral,
                }).Select(i => i.Version));
            }
            catch (Exception) { /* the SDKs this runtime can run are still known */ }
            InstalledSdks = all.Distinct().OrderByDescending(v => v).ToList();
            try
            {
                if (!MSBuildLocator.IsRegistered)
                {
                    MSBuildLocator.RegisterInstance(instances[0]);
                    RegisteredSdk = instances[0].Version;
                }
            }
            catch (Exception ex)
            {
                _error = $"MSBuild could not be registered: {ex.Message}";
            }
            return _error;
        }
    }
}
