namespace AllocationLens.Measurement;

/// <summary>One .NET process of a measured run and the file its EventPipe session was written to.</summary>
public sealed record TracedProcess(int ProcessId, string TracePath)
{
    /// <summary>Recorded without the JIT's events, as a process that does not run the user's code (<see cref="RecordingDepth"/>).</summary>
    public bool Light { get; init; }
}

/// <summary>
/// How a measured run ended: the root process's exit code (null when it was killed), whether it timed out
/// or was cancelled, the trace of every .NET process that connected, and what went wrong on the way.
/// </summary>
public sealed record TracedRunResult(int? ExitCode, bool TimedOut, bool Cancelled, IReadOnlyList<TracedProcess> Traces, IReadOnlyList<string> Problems);
