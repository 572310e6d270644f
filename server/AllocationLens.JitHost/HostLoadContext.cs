using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;

namespace AllocationLens.JitHost;

/// <summary>
/// Loads the user's build with its dependencies resolved from the build's deps.json, the way the app
/// itself would load them. Framework assemblies fall through to the default context, so the runtime
/// this host was started on supplies them. A library's build (a source generator or analyzer above all)
/// copies none of its package dependencies beside it, and its deps.json alone does not make the resolver
/// find them: those are looked for beside the assembly, then where the deps.json says NuGet restored them
/// (the global packages folder: NUGET_PACKAGES, else ~/.nuget/packages), as the build itself found them.
/// </summary>
internal sealed class HostLoadContext(string mainAssemblyPath) : AssemblyLoadContext("allocation-lens-verify")
{
    private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);
    private Dictionary<string, string>? _packageAssets;

    protected override Assembly? Load(AssemblyName name)
    {
        var path = _resolver.ResolveAssemblyToPath(name) ?? Beside(name) ?? Restored(name);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string name)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(name);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    /// <summary>The runtime's trusted platform assemblies, by simple name: what the default context supplies.</summary>
    private static readonly Lazy<HashSet<string>> FrameworkAssemblies = new(() =>
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension).OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase));

    private string? Beside(AssemblyName name)
    {
        if (name.Name is null) return null;
        var path = Path.Combine(Path.GetDirectoryName(mainAssemblyPath)!, name.Name + ".dll");
        return File.Exists(path) ? path : null;
    }

    private string? Restored(AssemblyName name)
    {
        if (name.Name is null) return null;
        // A framework assembly (System.Collections.Immutable, ...) is the runtime's own: never a package's older copy.
        if (FrameworkAssemblies.Value.Contains(name.Name)) return null;
        _packageAssets ??= ReadPackageAssets();
        return _packageAssets.TryGetValue(name.Name, out var path) ? path : null;
    }

    /// <summary>Assembly simple name → its file in the global packages folder, for every package runtime asset the deps.json lists.</summary>
    private Dictionary<string, string> ReadPackageAssets()
    {
        var assets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var depsPath = Path.ChangeExtension(mainAssemblyPath, ".deps.json");
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        if (!File.Exists(depsPath) || !Directory.Exists(root)) return assets;
        try
        {
            using var deps = JsonDocument.Parse(File.ReadAllBytes(depsPath));
            if (!deps.RootElement.TryGetProperty("libraries", out var libraries) || !deps.RootElement.TryGetProperty("targets", out var targets)) return assets;
            foreach (var target in targets.EnumerateObject())
                foreach (var library in target.Value.EnumerateObject())
                {
                    if (!library.Value.TryGetProperty("runtime", out var runtime)) continue;
                    if (!libraries.TryGetProperty(library.Name, out var info) || info.TryGetProperty("type", out var type) && type.GetString() != "package") continue;
                    if (!info.TryGetProperty("path", out var packagePath) || packagePath.GetString() is not { } relative) continue;
                    foreach (var asset in runtime.EnumerateObject())
                    {
                        var file = Path.Combine(root, relative, asset.Name);
                        if (File.Exists(file)) assets.TryAdd(Path.GetFileNameWithoutExtension(file), file);
                    }
                }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or InvalidOperationException) { }
        return assets;
    }
}
