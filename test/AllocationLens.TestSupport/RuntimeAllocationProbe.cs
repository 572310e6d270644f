using System.Reflection;

namespace AllocationLens.TestSupport;

/// <summary>What the runtime did for one case method once it reached steady state.</summary>
public sealed record RuntimeMeasurement(string Method, double BytesPerCall, bool Steady, int Rounds, string? Error)
{
    /// <summary>Allocations of whole objects are at least 24 bytes; anything under 8 per call is noise.</summary>
    public bool Allocates => BytesPerCall >= 8;
}

/// <summary>
/// Runs parameterless static case methods until the tiered JIT has replaced their Tier-0 code with
/// optimized Tier-1 code, then measures <see cref="GC.GetAllocatedBytesForCurrentThread"/> per call.
/// Calls go through a raw function pointer (calli) so that no guarded devirtualization can inline a
/// case into the probe's own loop: each case is compiled as a root method, as it would be in an app.
/// </summary>
public static unsafe class RuntimeAllocationProbe
{
    private const int CallsPerWarmupRound = 60;
    private const int CallsPerWindow = 400;

    public static IReadOnlyList<RuntimeMeasurement> MeasureAll(IReadOnlyList<MethodInfo> methods, int maxRounds = 60)
    {
        var results = new RuntimeMeasurement?[methods.Count];
        var callers = new Action?[methods.Count];
        for (int i = 0; i < methods.Count; i++)
        {
            try { callers[i] = CallerFor(methods[i]); }
            catch (Exception ex) { results[i] = Failed(methods[i], 0, ex); }
        }

        // Phase 1: call every case until the JIT is quiescent. Tier-1 promotion needs 30 calls and then
        // a call-counting delay (100 ms) with no new Tier-0 jitting anywhere in the process, and happens
        // on a background thread; OSR covers methods with loops. A compiled-method count that no longer
        // moves across two rounds means every promotion that will happen has happened.
        long lastCount = -1;
        int quietRounds = 0, round = 0;
        while (round < maxRounds && quietRounds < 3)
        {
            round++;
            for (int i = 0; i < methods.Count; i++)
            {
                if (results[i] is not null) continue;
                try { for (int c = 0; c < CallsPerWarmupRound; c++) callers[i]!(); }
                catch (Exception ex) { results[i] = Failed(methods[i], round, ex); }
            }
            Thread.Sleep(200);
            long count = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
            quietRounds = count == lastCount && round >= 3 ? quietRounds + 1 : 0;
            lastCount = count;
        }

        // Phase 2: two equal measurement windows per case; a case whose windows differ is warmed again.
        for (int i = 0; i < methods.Count; i++)
        {
            if (results[i] is not null) continue;
            double previous = double.NaN;
            for (int attempt = 1; attempt <= 6 && results[i] is null; attempt++)
            {
                double perCall = Window(callers[i]!);
                // Equal windows are steady; so are two windows that both allocate (work on the thread
                // pool, as in an async case, makes the amount vary while the verdict does not).
                bool bothAllocate = perCall >= 8 && previous >= 8;
                if (perCall == previous || bothAllocate) results[i] = new RuntimeMeasurement(Name(methods[i]), perCall, true, round + attempt, null);
                else if (!double.IsNaN(previous)) Thread.Sleep(150);
                previous = perCall;
            }
            results[i] ??= new RuntimeMeasurement(Name(methods[i]), previous, false, round, null);
        }
        return results!;
    }

    private static RuntimeMeasurement Failed(MethodInfo method, int round, Exception ex)
    {
        var inner = ex is TargetInvocationException { InnerException: { } e } ? e : ex;
        return new RuntimeMeasurement(Name(method), double.NaN, false, round, inner.GetType().Name + ": " + inner.Message);
    }

    private static string Name(MethodInfo m) => m.DeclaringType!.Name + "." + m.Name;

    private static double Window(Action call)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int c = 0; c < CallsPerWindow; c++) call();
        long after = GC.GetAllocatedBytesForCurrentThread();
        return (after - before) / (double)CallsPerWindow;
    }

    private static Action CallerFor(MethodInfo method)
    {
        if (!method.IsStatic || method.GetParameters().Length != 0 || method.IsGenericMethodDefinition)
            throw new ArgumentException($"{Name(method)}: case methods must be static, non-generic and parameterless");
        nint fp = method.MethodHandle.GetFunctionPointer();
        var ret = method.ReturnType;
        if (ret == typeof(void)) return () => ((delegate*<void>)fp)();
        if (ret == typeof(int)) return () => Consume(((delegate*<int>)fp)());
        if (ret == typeof(long)) return () => Consume(((delegate*<long>)fp)());
        if (ret == typeof(bool)) return () => Consume(((delegate*<bool>)fp)() ? 1 : 0);
        if (!ret.IsValueType) return () => Consume(((delegate*<object?>)fp)());
        throw new ArgumentException($"{Name(method)}: return int, long, bool, void or a reference type");
    }

    private static int s_sink;
    private static object? s_objectSink;
    private static void Consume(int value) => s_sink ^= value;
    private static void Consume(long value) => s_sink ^= (int)value;
    private static void Consume(object? value) => s_objectSink = value;
}
