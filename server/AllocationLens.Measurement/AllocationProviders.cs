using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace AllocationLens.Measurement;

/// <summary>
/// What the EventPipe session asks of the runtime. Every process of a run gets the same request, whatever
/// its runtime, since the diagnostic port does not say which runtime connected: .NET 10 and later emit
/// <c>AllocationSampled</c> (randomized sampling, keyword 0x80000000000); .NET 8 and 9 ignore that keyword
/// and emit <c>AllocationTick</c> (GC keyword, verbose), which .NET 10 also emits. The trace reader uses the
/// sampled events wherever a process has any and the ticks only where it has none. Loader and JIT events
/// (with IL-to-native maps) let every managed frame be resolved to a method token and an IL offset: the
/// process starts suspended, so every method it compiles is seen being compiled, and no rundown is needed.
/// JIT tracing reports inlining: a method inlined into its callers is never compiled on its own, yet may
/// have run, so it must not read as code that never ran.
/// </summary>
public static class AllocationProviders
{
    public const long GcKeyword = 0x1;
    public const long LoaderKeyword = 0x8;
    public const long JitKeyword = 0x10;
    public const long JitTracingKeyword = 0x1000;
    public const long JittedMethodIlToNativeMapKeyword = 0x20000;
    public const long AllocationSamplingKeyword = 0x80000000000;

    public const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    public static IReadOnlyList<EventPipeProvider> All { get; } =
    [
        new(RuntimeProvider, EventLevel.Verbose,
            GcKeyword | LoaderKeyword | JitKeyword | JitTracingKeyword | JittedMethodIlToNativeMapKeyword | AllocationSamplingKeyword),
    ];

    /// <summary>
    /// For a process that does not run the user's code (<see cref="RecordingDepth"/>): its allocations, all
    /// outside the user's code, and its module loads (to tell if it ran the user's code after all), without
    /// the JIT's events that only resolving frames in the user's code needs.
    /// </summary>
    public static IReadOnlyList<EventPipeProvider> Light { get; } =
    [
        new(RuntimeProvider, EventLevel.Verbose, GcKeyword | LoaderKeyword | AllocationSamplingKeyword),
    ];
}
