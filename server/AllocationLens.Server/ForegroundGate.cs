namespace AllocationLens.Server;

/// <summary>
/// Keeps background work (the Allocations view's workspace scan) out of the way of the requests a user
/// waits for: inlay hints, hovers, code actions, code lenses, Explain. Each such request holds the gate
/// while it runs; entering it preempts the background, which cancels the slice it is computing, waits
/// until no foreground request is running, and computes that slice again. Background slices are small
/// (a few members of one document), so a preemption wastes little.
/// </summary>
public sealed class ForegroundGate
{
    private readonly object _lock = new();
    private int _running;
    private CancellationTokenSource _preempt = new();
    private TaskCompletionSource _idle = Completed();

    /// <summary>How many times background work was preempted (tests and benchmarks read it).</summary>
    public int Preemptions { get; private set; }

    /// <summary>Marks a foreground request as running until the result is disposed.</summary>
    public IDisposable Enter()
    {
        lock (_lock)
        {
            if (_running++ == 0)
            {
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_preempt.IsCancellationRequested) { Preemptions++; _preempt.Cancel(); }
            }
        }
        return new Exit(this);
    }

    /// <summary>
    /// Waits until no foreground request runs, then returns a token that the next foreground request
    /// cancels: the background passes it (linked with its own) to the slice it computes next.
    /// </summary>
    public async Task<CancellationToken> WaitIdleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task idle;
            lock (_lock)
            {
                if (_running == 0)
                {
                    // Not disposed: a slice may still hold a token linked to the old one.
                    if (_preempt.IsCancellationRequested) _preempt = new CancellationTokenSource();
                    return _preempt.Token;
                }
                idle = _idle.Task;
            }
            await idle.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Leave()
    {
        lock (_lock)
        {
            if (--_running == 0) _idle.TrySetResult();
        }
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    private sealed class Exit(ForegroundGate gate) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) gate.Leave(); }
    }
}
