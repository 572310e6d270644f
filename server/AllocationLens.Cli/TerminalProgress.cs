using System.Diagnostics;

namespace AllocationLens.Cli;

/// <summary>
/// What `analyze` is doing, on the terminal during long runs: one status line rewritten in place
/// ("analysing CsvHelper: 120/187 files"), at most ten times a second, and erased before the report.
/// Only when stderr is an interactive terminal: a redirected stderr (CI logs, scripts, tests) gets
/// nothing, so logs stay line-oriented and diffable.
/// </summary>
public sealed class TerminalProgress
{
    private readonly TextWriter? _terminal;
    private readonly Stopwatch _sinceLast = Stopwatch.StartNew();
    private readonly object _gate = new();
    private string _phase = "";
    private int _done;
    private int _total;
    private int _shownLength;

    private TerminalProgress(TextWriter? terminal) => _terminal = terminal;

    /// <summary>Enabled when <paramref name="stderr"/> is the process's own, unredirected standard error.</summary>
    public static TerminalProgress For(TextWriter stderr) =>
        new(ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("ALLOCATION_LENS_NO_PROGRESS") is null ? stderr : null);

    /// <summary>For tests: progress written to any writer, as a terminal would get it.</summary>
    public static TerminalProgress To(TextWriter writer) => new(writer);

    public static TerminalProgress None { get; } = new(null);

    public void Phase(string phase, int total = 0)
    {
        if (_terminal is null) return;
        lock (_gate)
        {
            (_phase, _done, _total) = (phase, 0, total);
            Show();
        }
    }

    /// <summary>One more unit of the current phase done; thread-safe (documents are analysed in parallel).</summary>
    public void Step()
    {
        if (_terminal is null) return;
        lock (_gate)
        {
            _done++;
            if (_sinceLast.ElapsedMilliseconds >= 100 || _done == _total) Show();
        }
    }

    /// <summary>Erases the status line, so the report that follows starts on a clean line.</summary>
    public void Clear()
    {
        if (_terminal is null) return;
        lock (_gate)
        {
            if (_shownLength == 0) return;
            _terminal.Write("\r" + new string(' ', _shownLength) + "\r");
            _terminal.Flush();
            _shownLength = 0;
        }
    }

    private void Show()
    {
        var line = _total > 0 ? $"allocation-lens: {_phase}: {_done}/{_total} files" : $"allocation-lens: {_phase}";
        int width = Console.IsErrorRedirected ? 120 : Math.Max(20, SafeWindowWidth() - 1);
        if (line.Length > width) line = line[..(width - 1)] + "…";
        _terminal!.Write("\r" + line + (line.Length < _shownLength ? new string(' ', _shownLength - line.Length) : ""));
        _terminal.Flush();
        _shownLength = line.Length;
        _sinceLast.Restart();
    }

    private static int SafeWindowWidth()
    {
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : 120; }
        catch (IOException) { return 120; }
    }
}
