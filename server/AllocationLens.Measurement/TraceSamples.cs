using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace AllocationLens.Measurement;

/// <summary>
/// Reads one process's trace (TraceEvent's TraceLog resolves each event's stack against the JIT's method
/// loads and IL-to-native maps) into <see cref="ProcessAllocations"/>: for every allocation event, the
/// innermost frame whose module is one of the user's assemblies. Frames of the framework above it are what
/// the user's call led to, so the sample is charged to that call.
/// </summary>
public static class TraceSamples
{
    public const string SampledSource = "AllocationSampled";
    public const string TickSource = "AllocationTick";

    public static ProcessAllocations Read(TracedProcess traced, Func<string, bool> isUserModule, CancellationToken cancellationToken)
    {
        var etlx = Path.ChangeExtension(traced.TracePath, ".etlx");
        TraceLog.CreateFromEventPipeDataFile(traced.TracePath, etlx, new TraceLogOptions { ContinueOnError = true, ConversionLog = TextWriter.Null });
        try
        {
            using var log = new TraceLog(etlx);
            var sampled = new Dictionary<(UserFrame?, string), SampleGroup>();
            var ticks = new Dictionary<(UserFrame?, string), SampleGroup>();
            var compiled = new HashSet<(string, int)>();
            var inlined = new HashSet<(string, string)>();
            var modules = new Dictionary<long, string>();
            var loaded = new HashSet<string>(PathComparer);
            // TraceLog lowercases the module paths of stack frames; the loader events keep the real path.
            var realPaths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            int events = 0;
            foreach (var data in log.Events)
            {
                if ((++events & 0xFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
                switch (data)
                {
                    case AllocationSampledTraceData sample:
                        Add(sampled, UserFrameOf(sample, isUserModule, realPaths), sample.TypeName, SampleWeight.Sampled(sample.ObjectSize));
                        break;
                    case GCAllocationTickTraceData tick:
                        Add(ticks, UserFrameOf(tick, isUserModule, realPaths), tick.TypeName, SampleWeight.Tick(tick.AllocationAmount64, tick.ObjectSize));
                        break;
                    case ModuleLoadUnloadTraceData module:
                        // A load or an unload: either names the module's file (an unload follows its load).
                        if (module.ModuleILPath is { Length: > 0 } path)
                        {
                            modules[module.ModuleID] = path;
                            realPaths[path] = path;
                            if (isUserModule(path)) loaded.Add(path);
                        }
                        break;
                    case MethodJitInliningSucceededTraceData inlining:
                        inlined.Add((inlining.InlineeNamespace, inlining.InlineeName));
                        break;
                    case MethodLoadUnloadVerboseTraceData method:
                        if (modules.TryGetValue(method.ModuleID, out var modulePath) && isUserModule(modulePath))
                            compiled.Add((modulePath, method.MethodToken));
                        break;
                }
            }
            // The sampled event where the runtime has it (.NET 10+ also emits ticks; using both would count twice).
            bool useSampled = sampled.Count > 0;
            return new ProcessAllocations(traced.ProcessId, (useSampled ? sampled : ticks).Values.ToList(), compiled, inlined, loaded,
                useSampled || ticks.Count == 0 ? SampledSource : TickSource);
        }
        finally
        {
            try { File.Delete(etlx); }
            catch (IOException) { }
        }
    }

    private static void Add(Dictionary<(UserFrame?, string), SampleGroup> groups, UserFrame? frame, string? typeName, SampleWeight weight)
    {
        var key = (frame, typeName ?? "");
        if (!groups.TryGetValue(key, out var group)) groups[key] = group = new SampleGroup(frame, typeName ?? "");
        group.Add(weight);
    }

    /// <summary>The innermost frame of the event's stack in a user module, with a method token and an IL offset.</summary>
    private static UserFrame? UserFrameOf(TraceEvent data, Func<string, bool> isUserModule, Dictionary<string, string> realPaths)
    {
        for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
        {
            var address = frame.CodeAddress;
            var method = address.Method;
            if (method is null) continue;
            var path = address.ModuleFilePath;
            if (string.IsNullOrEmpty(path)) continue;
            path = realPaths.GetValueOrDefault(path, path);
            if (!isUserModule(path)) continue;
            int il = address.ILOffset;
            if (il < 0 || method.MethodToken == 0) continue;
            return new UserFrame(path, method.MethodToken, il, method.FullMethodName);
        }
        return null;
    }

    internal static readonly StringComparer PathComparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}
