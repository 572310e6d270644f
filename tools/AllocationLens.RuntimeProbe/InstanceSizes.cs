using System.Reflection;
using System.Runtime.CompilerServices;

namespace AllocationLens.RuntimeProbe;

/// <summary>
/// Instance sizes of the framework's public classes and structs, as the runtime lays them out: the base
/// size in each type's MethodTable (header word, method-table pointer and fields, at least 24 bytes; for a
/// struct, the size of its box). Reference assemblies hide private fields, so only the runtime knows these.
/// A generic type is instantiated over `object`; the line also gives, per type parameter, how many instance
/// fields have exactly that type, so a consumer can size instantiations over value types
/// (size + Σ count × (sizeof(T) − 8), rounded up to 8). The counts are checked on an instantiation over
/// Guid; where they do not predict its size, the line says `?` (exact only for reference-type arguments).
/// Nothing here runs framework code: reading a MethodTable does not run a static constructor.
/// </summary>
internal static unsafe class InstanceSizes
{
    private const int MinObject = 24;

    /// <summary>CoreCLR's MethodTable starts with DWORD m_dwFlags, DWORD m_BaseSize (8.0 through 11.0).</summary>
    public static int BaseSize(Type type) => (int)*(uint*)((byte*)type.TypeHandle.Value + 4);

    /// <summary>The base size must equal what allocating one instance costs, measured, or the layout assumption is wrong.</summary>
    public static string? SelfCheck()
    {
        Type[] samples = [typeof(object), typeof(List<object>), typeof(System.Text.StringBuilder), typeof(Dictionary<object, object>), typeof(int), typeof(Guid), typeof(Tuple<byte, long>), typeof(Exception)];
        foreach (var type in samples)
        {
            RuntimeHelpers.GetUninitializedObject(type);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var instance = RuntimeHelpers.GetUninitializedObject(type);
            long measured = GC.GetAllocatedBytesForCurrentThread() - before;
            GC.SuppressFinalize(instance);
            GC.KeepAlive(instance);
            if (measured != BaseSize(type))
                return $"self-check failed: {type} measured {measured} bytes per instance, but its MethodTable says {BaseSize(type)}";
        }
        return null;
    }

    public static IEnumerable<string> Measure(HashSet<string>? only)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = new List<string>();
        var directory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        foreach (var path in Directory.GetFiles(directory, "*.dll").OrderBy(p => p, StringComparer.Ordinal))
        {
            Assembly assembly;
            try { assembly = Assembly.Load(AssemblyName.GetAssemblyName(path)); }
            catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException) { continue; }
            Type[] types;
            try { types = assembly.GetExportedTypes(); }
            catch (Exception) { continue; }
            foreach (var type in types)
            {
                if (type.FullName is not { } name || !seen.Add(name)) continue;
                if (only is not null && !only.Contains(name)) continue;
                if (Line(type, name) is { } line) lines.Add(line);
            }
        }
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static string? Line(Type type, string name)
    {
        if (type.IsInterface || type.IsEnum || type.IsPointer || type.IsByRefLike || type.HasElementType) return null;
        if (type.IsAbstract && type.IsSealed) return null; // static class
        if (typeof(Delegate).IsAssignableFrom(type) || type == typeof(string) || type == typeof(void) || type == typeof(Array)) return null;
        try
        {
            if (!type.IsGenericTypeDefinition) return $"size\t{name}\t{BaseSize(type)}";
            var parameters = type.GetGenericArguments();
            var overObject = Instantiate(type, typeof(object), parameters.Length);
            if (overObject is null)
            {
                // Constrained to value types: the size depends on the argument; give the int instantiation's as a floor? No: say nothing.
                return null;
            }
            int size = BaseSize(overObject);
            var counts = new int[parameters.Length];
            for (var t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
            {
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType is { IsGenericParameter: true, DeclaringMethod: null } p && p.DeclaringType == type)
                        counts[p.GenericParameterPosition]++;
                }
            }
            var overGuid = Instantiate(type, typeof(Guid), parameters.Length);
            string perArgument = string.Join(",", counts);
            if (overGuid is not null)
            {
                int predicted = Math.Max(MinObject, Align8(size + counts.Sum() * (16 - 8)));
                if (predicted != BaseSize(overGuid)) perArgument = "?";
            }
            return $"size\t{name}\t{size}\t{perArgument}";
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or TypeLoadException or InvalidOperationException or BadImageFormatException)
        {
            return null;
        }
    }

    private static Type? Instantiate(Type definition, Type argument, int arity)
    {
        var args = new Type[arity];
        Array.Fill(args, argument);
        try { return definition.MakeGenericType(args); }
        catch (ArgumentException) { return null; }
    }

    private static int Align8(int value) => (value + 7) / 8 * 8;
}
