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

    /// <summary>Null when MSBuild is usable; otherwise a sentence saying why not (no SDK found).</summary>
    public static string? EnsureRegistered()
    {
        lock (Gate)
        {
            if (_done) return _error;
            _done = true;
            try
            {
                if (!MSBuildLocator.IsRegistered)
                {
                    var instances = MSBuildLocator.QueryVisualStudioInstances().OrderByDescending(i => i.Version).ToList();
                    if (instances.Count == 0)
                        return _error = "no .NET SDK was found, so projects cannot be loaded; install the .NET SDK (10 or later) or set allocationLens.dotnetPath";
                    MSBuildLocator.RegisterInstance(instances[0]);
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
