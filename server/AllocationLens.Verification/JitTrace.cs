using Microsoft.Diagnostics.Tracing;

namespace AllocationLens.Verification;

/// <summary>One method the JIT compiled in the host, as the runtime's trace names it, with its IL map.</summary>
public sealed record CompiledMethod(string TypeName, string MethodName, int CodeSize, IlOffsetMap Map);

/// <summary>
/// The JIT host's EventPipe trace, written by the runtime itself from start-up (DOTNET_EnableEventPipe,
/// no diagnostics client): per compiled method its MethodLoadVerbose (names and code size) and its
/// MethodILToNativeMap. The release JIT's listing has no IL offsets; this map gives them. A trace that
/// is missing or cut short (the host crashed) yields what it holds, and Verify falls back to counting.
/// </summary>
public static class JitTrace
{
    /// <summary>Microsoft-Windows-DotNETRuntime's JIT (0x10: method loads) and JittedMethodILToNativeMap (0x20000) keywords, verbose.</summary>
    public const string ProviderConfig = "Microsoft-Windows-DotNETRuntime:0x20010:5";

    public static List<CompiledMethod> Read(string path)
    {
        var loads = new List<(long Id, string Type, string Method, int Size)>();
        var maps = new Dictionary<long, IlOffsetMap>();
        if (!File.Exists(path)) return [];
        try
        {
            using var source = new EventPipeEventSource(path);
            source.Clr.MethodLoadVerbose += e => loads.Add((e.MethodID, e.MethodNamespace, e.MethodName, e.MethodSize));
            source.Clr.MethodILToNativeMap += e =>
            {
                var entries = new (int Native, int Il)[e.CountOfMapEntries];
                for (int i = 0; i < entries.Length; i++) entries[i] = (e.NativeOffset(i), e.ILOffset(i));
                maps[e.MethodID] = new IlOffsetMap(entries);
            };
            source.Process();
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or FormatException or EndOfStreamException or UnauthorizedAccessException)
        {
            // A trace cut short: the methods read so far still stand.
        }
        var compiled = new List<CompiledMethod>(loads.Count);
        foreach (var (id, type, method, size) in loads)
            if (maps.TryGetValue(id, out var map)) compiled.Add(new CompiledMethod(type, method, size, map));
        return compiled;
    }

    /// <summary>
    /// Gives each listed method the IL map of its compilation: the next compiled method, in compile order,
    /// with the same type and method name and the same code size. A listing with no such compilation keeps
    /// no map (its same-typed allocations are then judged by counting alone).
    /// </summary>
    public static List<ListedMethod> Attach(IReadOnlyList<ListedMethod> listing, IReadOnlyList<CompiledMethod> compiled)
    {
        var byName = new Dictionary<(string, string), (List<CompiledMethod> Methods, int Next)>();
        foreach (var c in compiled)
        {
            var key = (JitListing.NormalizeType(c.TypeName), c.MethodName);
            if (!byName.TryGetValue(key, out var entry)) entry = ([], 0);
            entry.Methods.Add(c);
            byName[key] = entry;
        }
        var result = new List<ListedMethod>(listing.Count);
        foreach (var listed in listing)
        {
            IlOffsetMap? map = null;
            var key = (listed.TypeName, listed.MethodName);
            if (listed.CodeSize > 0 && byName.TryGetValue(key, out var entry))
            {
                // Both are in compile order: the first later compilation of the same size is this one, and the
                // ones skipped over (overloads that left no listing) are never paired afterwards.
                int found = entry.Methods.FindIndex(entry.Next, c => c.CodeSize == listed.CodeSize);
                if (found >= 0)
                {
                    map = entry.Methods[found].Map;
                    byName[key] = (entry.Methods, found + 1);
                }
            }
            result.Add(map is null ? listed : listed with { IlMap = map });
        }
        return result;
    }
}
