namespace AllocationLens.Measurement;

/// <summary>
/// A managed frame resolved to its module file, method token and IL offset, and whether its code was
/// unoptimized (tier 0: no stack allocation and no inlining, so a `stack` verdict about optimized code says
/// nothing about it). False when the tier is not known.
/// </summary>
public readonly record struct UserFrame(string ModulePath, int MethodToken, int IlOffset, string MethodName, bool Unoptimized = false);

/// <summary>
/// Samples of one allocated type whose innermost frame in the user's code is the same (null: no frame of the
/// user's code on the stack), taken while the same test ran (null: no test on the stack), summed: estimated
/// bytes and objects, and the number of events behind them.
/// </summary>
public sealed class SampleGroup(UserFrame? frame, string typeName, string? test = null)
{
    public UserFrame? Frame { get; } = frame;
    public string TypeName { get; } = typeName;
    /// <summary>The test that was running ("NS.Class.Method"): see <see cref="TestMethods"/>.</summary>
    public string? Test { get; } = test;
    public double Bytes { get; private set; }
    public double Objects { get; private set; }
    public int Samples { get; private set; }

    public void Add(SampleWeight weight)
    {
        Bytes += weight.Bytes;
        Objects += weight.Objects;
        Samples++;
    }
}

/// <summary>
/// What one process's trace holds for Measure: its allocation samples grouped by user frame and type, the
/// user methods it compiled (a method is compiled when it first runs, so these are the methods that ran),
/// the methods the JIT inlined somewhere (by type and method name, as the runtime spells them: such a method
/// may have run without being compiled on its own), the user modules it loaded, and which event the
/// estimates rest on.
/// </summary>
public sealed record ProcessAllocations(
    int ProcessId,
    IReadOnlyList<SampleGroup> Groups,
    IReadOnlySet<(string ModulePath, int MethodToken)> CompiledUserMethods,
    IReadOnlySet<(string Type, string Method)> InlinedMethods,
    IReadOnlySet<string> LoadedUserModules,
    string Source)
{
    /// <summary>The user methods compiled at tier 1 or on-stack replacement: they ran often (<see cref="TraceSamples.RanOften"/>).</summary>
    public IReadOnlySet<(string ModulePath, int MethodToken)> OftenRunUserMethods { get; init; } = new HashSet<(string, int)>();

    /// <summary>
    /// Events the runtime dropped from this process's session: allocation samples and JIT events alike, so
    /// sites read low (down to nothing) and code may read as never run. Zero in a complete trace.
    /// </summary>
    public int EventsLost { get; init; }

    /// <summary>Why the trace could not be read to its end (a cut or malformed trace), or null.</summary>
    public string? ReadError { get; init; }
}
