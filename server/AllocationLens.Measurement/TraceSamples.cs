using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace AllocationLens.Measurement;

/// <summary>
/// Reads one process's trace (TraceEvent's TraceLog resolves each event's stack against the JIT's method
/// loads and IL-to-native maps) into <see cref="ProcessAllocations"/>: for every allocation event, the
/// innermost frame whose module is one of the user's assemblies. Frames of the framework above it are what
/// the user's call led to, so the sample is charged to that call. The frame's IL offset comes from the map
/// of the compiled version that holds its address (<see cref="NativeCodeMaps"/>).
/// </summary>
public static class TraceSamples
{
    public const string SampledSource = "AllocationSampled";
    public const string TickSource = "AllocationTick";

    public static ProcessAllocations Read(TracedProcess traced, Func<string, bool> isUserModule, CancellationToken cancellationToken) =>
        Read(traced, isUserModule, TestMethods.None, cancellationToken);

    public static ProcessAllocations Read(TracedProcess traced, Func<string, bool> isUserModule, TestMethods tests, CancellationToken cancellationToken)
    {
        // Each compiled version's own IL map, which TraceLog does not keep apart (see NativeCodeMaps).
        var codeMaps = NativeCodeMaps.Read(traced.TracePath, isUserModule);
        cancellationToken.ThrowIfCancellationRequested();
        var etlx = Path.ChangeExtension(traced.TracePath, ".etlx");
        TraceLog.CreateFromEventPipeDataFile(traced.TracePath, etlx, new TraceLogOptions { ContinueOnError = true, ConversionLog = TextWriter.Null });
        try
        {
            using var log = new TraceLog(etlx);
            var sampled = new Dictionary<(UserFrame?, string, string?), SampleGroup>();
            var ticks = new Dictionary<(UserFrame?, string, string?), SampleGroup>();
            var stacks = new Dictionary<CallStackIndex, (UserFrame?, string?)>();
            var compiled = new HashSet<(string, int)>();
            var often = new HashSet<(string, int)>();
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
                        Add(sampled, FramesOf(sample, isUserModule, tests, codeMaps, realPaths, stacks), sample.TypeName, SampleWeight.Sampled(sample.ObjectSize));
                        break;
                    case GCAllocationTickTraceData tick:
                        Add(ticks, FramesOf(tick, isUserModule, tests, codeMaps, realPaths, stacks), tick.TypeName, SampleWeight.Tick(tick.AllocationAmount64, tick.ObjectSize));
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
                        {
                            compiled.Add((modulePath, method.MethodToken));
                            if (RanOften(method.OptimizationTier)) often.Add((modulePath, method.MethodToken));
                        }
                        break;
                }
            }
            // The sampled event where the runtime has it (.NET 10+ also emits ticks; using both would count twice).
            bool useSampled = sampled.Count > 0;
            return new ProcessAllocations(traced.ProcessId, (useSampled ? sampled : ticks).Values.ToList(), compiled, inlined, loaded,
                useSampled || ticks.Count == 0 ? SampledSource : TickSource)
            { OftenRunUserMethods = often, EventsLost = Math.Max(log.EventsLost, codeMaps.EventsLost), ReadError = codeMaps.ReadError };
        }
        finally
        {
            try { File.Delete(etlx); }
            catch (IOException) { }
        }
    }

    private static void Add(Dictionary<(UserFrame?, string, string?), SampleGroup> groups, (UserFrame? Frame, string? Test) frames, string? typeName, SampleWeight weight)
    {
        var key = (frames.Frame, typeName ?? "", frames.Test);
        if (!groups.TryGetValue(key, out var group)) groups[key] = group = new SampleGroup(frames.Frame, typeName ?? "", frames.Test);
        group.Add(weight);
    }

    /// <summary>
    /// A method compiled at tier 1 was called at least 30 times after the runtime's tiering delay (the call
    /// counting threshold, DOTNET_TC_CallCountThreshold), and an OSR version is compiled only after a loop of
    /// the method ran thousands of iterations: either way the method ran often. A method compiled fully
    /// optimized straight away (tiering disabled, AggressiveOptimization) says nothing about how often it ran.
    /// </summary>
    internal static bool RanOften(OptimizationTier tier) => tier is OptimizationTier.OptimizedTier1 or OptimizationTier.OptimizedTier1OSR;

    /// <summary>
    /// The event's innermost frame in a user module with a method token and an IL offset (where the sample
    /// is charged), and the test that was running: the outermost frame that is a test method, else the
    /// outermost frame of a test project's code. Samples of a loop share their stack, so each stack is read once.
    /// </summary>
    private static (UserFrame?, string?) FramesOf(TraceEvent data, Func<string, bool> isUserModule, TestMethods tests, NativeCodeMaps codeMaps,
        Dictionary<string, string> realPaths, Dictionary<CallStackIndex, (UserFrame?, string?)> stacks)
    {
        var index = data.CallStackIndex();
        if (index != CallStackIndex.Invalid && stacks.TryGetValue(index, out var known)) return known;
        UserFrame? innermost = null;
        string? test = null, inTestAssembly = null;
        for (var frame = data.CallStack(); frame is not null; frame = frame.Caller)
        {
            var address = frame.CodeAddress;
            var method = address.Method;
            if (method is null || method.MethodToken == 0) continue;
            var path = address.ModuleFilePath;
            if (string.IsNullOrEmpty(path)) continue;
            path = realPaths.GetValueOrDefault(path, path);
            if (!isUserModule(path)) continue;
            var (isTest, inTest) = tests.Classify(path, method.MethodToken);
            test = isTest ?? test;
            inTestAssembly = inTest ?? inTestAssembly;
            if (innermost is not null) continue;
            var resolved = codeMaps.Resolve(address.Address);
            int il = resolved?.IlOffset ?? address.ILOffset;
            if (il >= 0) innermost = new UserFrame(path, method.MethodToken, il, method.FullMethodName, resolved?.Unoptimized ?? false);
        }
        var result = (innermost, test ?? inTestAssembly);
        if (index != CallStackIndex.Invalid) stacks[index] = result;
        return result;
    }

    internal static readonly StringComparer PathComparer = OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}
