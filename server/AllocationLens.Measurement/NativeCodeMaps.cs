using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace AllocationLens.Measurement;

/// <summary>
/// Every compiled version of the user's methods (tier 0, tier 1, on-stack replacement) with its own
/// native-to-IL map, read from the raw trace: a native address resolves to the IL offset of the version that
/// holds it. TraceLog keeps one map per method, so an address in a method's second version (its tier-1 or
/// OSR code, which runs a hot loop) was resolved against the first version's map and landed on the wrong
/// statement. A version's load event and its map carry the same method id and code version id (the event's
/// "ReJITID" field: the native code version), which pairs them. The load event also names the version's
/// tier, so a sample tells whether it was taken in unoptimized code.
/// </summary>
internal sealed class NativeCodeMaps
{
    private readonly record struct Version(ulong Start, uint Size, uint[] NativeOffsets, int[] IlOffsets, bool Unoptimized);

    private readonly List<Version> _versions = [];
    private Version[] _sorted = [];

    public int Count => _versions.Count;

    /// <summary>Events the runtime dropped from the session (gaps in its per-thread sequence numbers), as the raw reader counted them.</summary>
    public int EventsLost { get; private set; }

    /// <summary>Why the raw read stopped before the end of the trace, or null when it read it all.</summary>
    public string? ReadError { get; private set; }

    public static NativeCodeMaps Read(string tracePath, Func<string, bool> isUserModule)
    {
        var maps = new NativeCodeMaps();
        var userModules = new HashSet<long>();
        var loads = new Dictionary<(long MethodId, long Version), (ulong Start, uint Size, bool Unoptimized)>();
        using var source = new EventPipeEventSource(tracePath);
        source.Clr.LoaderModuleLoad += module =>
        {
            if (module.ModuleILPath is { Length: > 0 } path && isUserModule(path)) userModules.Add(module.ModuleID);
        };
        source.Clr.MethodLoadVerbose += method =>
        {
            if (userModules.Contains(method.ModuleID))
                loads[(method.MethodID, method.ReJITID)] = (method.MethodStartAddress, (uint)method.MethodSize,
                    method.OptimizationTier is OptimizationTier.QuickJitted or OptimizationTier.MinOptJitted or OptimizationTier.QuickJittedInstrumented);
        };
        source.Clr.MethodILToNativeMap += map =>
        {
            if (!loads.Remove((map.MethodID, map.ReJITID), out var load) || map.MethodExtent != 0) return;
            int count = map.CountOfMapEntries;
            var native = new uint[count];
            var il = new int[count];
            for (int i = 0; i < count; i++) { native[i] = (uint)map.NativeOffset(i); il[i] = map.ILOffset(i); }
            Array.Sort(native, il);
            maps._versions.Add(new Version(load.Start, load.Size, native, il, load.Unoptimized));
        };
        try
        {
            source.Process();
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            // A trace cut short (a killed process, a last buffer never written) still holds the versions read
            // so far; a frame of a version that was not read falls back to TraceLog's map.
            maps.ReadError = ex.Message;
        }
        maps.EventsLost = source.EventsLost;
        maps._sorted = [.. maps._versions.OrderBy(v => v.Start)];
        return maps;
    }

    /// <summary>
    /// The IL offset of a return address in a user method's code, and whether that code is unoptimized
    /// (tier 0, minimal optimization: no stack allocation, no inlining) (the call it returns from is the byte
    /// before it), or null when no version of a user method holds it, or no map entry before it is an IL
    /// offset (prolog, no mapping). The JIT's map is coarse without a debugger (entries where the IL stack
    /// is empty and at calls): an entry covers an IL range up to the next entry, and the offset is placed in
    /// that range in proportion to the native offset, as TraceLog places it, so a call late in a long range
    /// lands on its own statement more often than on the range's first.
    /// </summary>
    public (int IlOffset, bool Unoptimized)? Resolve(ulong returnAddress)
    {
        if (returnAddress == 0) return null;
        ulong address = returnAddress - 1;
        int low = 0, high = _sorted.Length - 1, found = -1;
        while (low <= high)
        {
            int mid = (low + high) >>> 1;
            if (_sorted[mid].Start <= address) { found = mid; low = mid + 1; }
            else high = mid - 1;
        }
        if (found < 0) return null;
        var version = _sorted[found];
        if (address >= version.Start + version.Size) return null;
        uint offset = (uint)(address - version.Start);
        var native = version.NativeOffsets;
        var il = version.IlOffsets;
        int at = Array.BinarySearch(native, offset);
        if (at < 0) at = ~at - 1;
        // Several IL offsets may start at the same native offset: the last of them is the code that runs there.
        if (at >= 0)
            while (at + 1 < native.Length && native[at + 1] == native[at]) at++;
        while (at >= 0 && il[at] < 0) at--;
        if (at < 0) return null;
        int next = at + 1;
        while (next < native.Length && (native[next] <= native[at] || il[next] < il[at])) next++;
        if (next >= native.Length) return (il[at], version.Unoptimized);
        double fraction = (double)(offset - native[at]) / (native[next] - native[at]);
        return (il[at] + (int)(fraction * (il[next] - il[at])), version.Unoptimized);
    }
}
