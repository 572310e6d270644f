using System.Reflection;
using System.Runtime.Loader;

namespace AllocationLens.JitHost;

/// <summary>
/// Loads the user's build with its dependencies resolved from the build's deps.json, the way the app
/// itself would load them. Framework assemblies fall through to the default context, so the runtime
/// this host was started on supplies them.
/// </summary>
internal sealed class HostLoadContext(string mainAssemblyPath) : AssemblyLoadContext("allocation-lens-verify")
{
    private readonly AssemblyDependencyResolver _resolver = new(mainAssemblyPath);

    protected override Assembly? Load(AssemblyName name)
    {
        var path = _resolver.ResolveAssemblyToPath(name);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string name)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(name);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
