using System.Diagnostics;
using AllocationLens.Measurement;
using AllocationLens.Verification;
using Microsoft.CodeAnalysis;

namespace AllocationLens.Cli;

/// <summary>
/// `allocation-lens measure [PATH] [-- COMMAND...]`: analyses PATH as `analyze` does, runs its tests (or the
/// command) with allocation sampling in every .NET process of the run, charges each sample to the site at
/// the innermost frame of the user's own code, and prints the analyze report with the measurements attached.
/// By default the tests are built first (`dotnet build PATH -c Release`, not measured), then run with
/// `dotnet test PATH -c Release --no-build`. Exit codes: 0 with a report (whatever the tests did: stderr says
/// when they failed); 1 when nothing could be loaded, built or started, or the run timed out (the report then
/// holds what was recorded); 2 usage; 130 when cancelled.
/// </summary>
public static class MeasureCommand
{
    public static async Task<int> RunAsync(MeasureOptions options, string? msbuildProblem, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var (analysis, exit) = await CollectAsync(options, msbuildProblem, stderr, cancellationToken).ConfigureAwait(false);
        if (analysis is not null) AnalyzeCommand.Write(stdout, options.Format, analysis);
        return exit;
    }

    /// <summary>The analysis of PATH with the run's measurements attached (null when nothing could be measured), and the exit code.</summary>
    public static async Task<(AnalysisRun? Analysis, int Exit)> CollectAsync(MeasureOptions options, string? msbuildProblem, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        try
        {
            return await MeasureAsync(options, msbuildProblem, stderr, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled at any step (the analysis, the attribution): every step leaves nothing behind.
            stderr.WriteLine("allocation-lens: cancelled");
            return (null, 130);
        }
    }

    private static async Task<(AnalysisRun? Analysis, int Exit)> MeasureAsync(MeasureOptions options, string? msbuildProblem, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (options.Command.Count == 0 && File.Exists(options.Path) && options.Path.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
        {
            stderr.WriteLine("allocation-lens: measure runs the tests of a project, a solution or a folder: give one of those, or the command to run after `--`");
            return (null, 1);
        }
        var (analysis, exit) = await AnalyzeCommand.CollectAsync(options.Analyze, msbuildProblem, stderr, cancellationToken).ConfigureAwait(false);
        if (analysis is null) return (null, exit);
        // The user's code: the assemblies the analysed projects build (test projects included).
        var assemblies = analysis.Groups.Select(g => g.Compilation.AssemblyName).OfType<string>().Where(n => n.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase);
        bool IsUserModule(string path) => assemblies.Contains(Path.GetFileNameWithoutExtension(path));

        var full = Path.GetFullPath(options.Path);
        ProcessStartInfo start;
        string description;
        if (options.Command.Count > 0)
        {
            start = new ProcessStartInfo(options.Command[0], options.Command.Skip(1));
            description = string.Join(' ', options.Command);
        }
        else
        {
            // The build is not measured: the compiler and MSBuild are not the user's code, and a compiler server
            // started under measurement would outlive the run.
            stderr.WriteLine($"allocation-lens: building {AnalyzeCommand.DisplayPath(full)} in {options.Configuration}");
            ChildResult built;
            try
            {
                built = await ChildProcess.RunAsync("dotnet", ["build", full, "-c", options.Configuration, "-nologo", "-v", "quiet"],
                    new Dictionary<string, string?> { ["MSBUILDDISABLENODEREUSE"] = "1" }, options.Timeout, cancellationToken,
                    line => { lock (stderr) stderr.WriteLine(line); }, Directory.Exists(full) ? full : Path.GetDirectoryName(full)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { stderr.WriteLine("allocation-lens: cancelled"); return (null, 130); }
            catch (System.ComponentModel.Win32Exception ex) { stderr.WriteLine($"allocation-lens: could not start dotnet build: {ex.Message}"); return (null, 1); }
            if (built.StandardError.Length > 0) stderr.Write(built.StandardError);
            if (built.TimedOut) { stderr.WriteLine($"allocation-lens: dotnet build took longer than {options.Timeout.TotalSeconds:0} s (--timeout) and was stopped; nothing was measured"); return (null, 1); }
            if (built.ExitCode != 0) { stderr.WriteLine($"allocation-lens: dotnet build failed (exit code {built.ExitCode}); nothing was measured"); return (null, 1); }
            start = new ProcessStartInfo("dotnet", ["test", full, "-c", options.Configuration, "--no-build", "-nologo"]);
            description = $"dotnet test {AnalyzeCommand.DisplayPath(full)} -c {options.Configuration}";
            if (options.TestFilter is { } filter)
            {
                start.ArgumentList.Add("--filter");
                start.ArgumentList.Add(filter);
                description += $" --filter \"{filter}\"";
            }
        }
        start.WorkingDirectory = Directory.Exists(full) ? full : Path.GetDirectoryName(full)!;
        foreach (var (name, value) in options.Environment) start.Environment[name] = value;

        var folder = Path.Combine(Path.GetTempPath(), $"allocation-lens-measure-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            stderr.WriteLine($"allocation-lens: measuring {description}");
            TracedRunResult run;
            try
            {
                run = await TracedRun.RunAsync(start, folder, options.Timeout, line => { lock (stderr) stderr.WriteLine(line); }, assemblies, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                stderr.WriteLine($"allocation-lens: the measured run failed: {ex.Message}");
                return (null, 1);
            }
            foreach (var problem in run.Problems) stderr.WriteLine($"allocation-lens: measure: {problem}");
            if (run.Cancelled) { stderr.WriteLine("allocation-lens: cancelled; every process of the run was stopped"); return (null, 130); }
            if (run.Problems.Any(p => p.StartsWith("could not start", StringComparison.Ordinal))) return (null, 1);
            if (run.TimedOut)
                stderr.WriteLine($"allocation-lens: the run took longer than {options.Timeout.TotalSeconds:0} s (--timeout): every process of it was killed; the report holds what was recorded until then");
            else if (run.ExitCode is { } code and not 0)
                stderr.WriteLine($"allocation-lens: {description} exited with code {code}; the report holds what ran");
            if (run.Traces.Count == 0)
                stderr.WriteLine("allocation-lens: no .NET process of the run could be recorded; nothing is measured");

            var processes = new List<ProcessAllocations>();
            var tests = TestMethods.From(analysis.Groups.Select(g => g.Compilation), cancellationToken);
            foreach (var traced in run.Traces)
            {
                try
                {
                    var read = TraceSamples.Read(traced, IsUserModule, tests, cancellationToken);
                    processes.Add(read);
                    if (read.EventsLost > 0)
                        stderr.WriteLine($"allocation-lens: measure: process {traced.ProcessId}: its runtime dropped {read.EventsLost} events of the recording; " +
                                         "its sites read low (whole workloads may read 0) and code may read as never run");
                    if (read.ReadError is { } readError)
                        stderr.WriteLine($"allocation-lens: measure: process {traced.ProcessId}: its trace could not be read to its end ({readError}); what came after is left out");
                    if (traced.Light && read.LoadedUserModules.Count > 0)
                        stderr.WriteLine($"allocation-lens: measure: process {traced.ProcessId} loaded {string.Join(", ", read.LoadedUserModules.Select(Path.GetFileName))} although its command line names none of your assemblies; " +
                                         "it was recorded without JIT events, so its allocations in your code count as outside it");
                }
                catch (OperationCanceledException) { stderr.WriteLine("allocation-lens: cancelled"); return (null, 130); }
                catch (Exception ex)
                {
                    // A process killed mid-write leaves a trace TraceEvent may refuse: the others still count.
                    stderr.WriteLine($"allocation-lens: measure: the trace of process {traced.ProcessId} could not be read ({ex.Message}); its allocations are left out");
                }
            }
            var trees = analysis.Groups.SelectMany(g => g.Trees).Where(t => t.FilePath.Length > 0)
                .GroupBy(t => Path.GetFullPath(t.FilePath)).ToDictionary(g => g.Key, g => g.First());
            var sites = analysis.Report.Select(r => r.Site).ToList();
            var compilationOf = analysis.Groups.SelectMany(g => g.Trees.Select(t => (Tree: t, g.Compilation))).GroupBy(t => t.Tree).ToDictionary(g => g.Key, g => g.First().Compilation);
            var report = SiteAttribution.Attribute(sites, path => trees.GetValueOrDefault(Path.GetFullPath(path)), processes,
                problem => stderr.WriteLine($"allocation-lens: measure: {problem}"),
                tree => compilationOf.TryGetValue(tree, out var compilation) ? compilation.GetSemanticModel(tree) : null, cancellationToken);
            var outcome = run.TimedOut ? "timed out" : run.ExitCode is { } exitCode ? $"exit code {exitCode}" : "killed";
            return (analysis with { Measurement = report, MeasuredRun = new MeasuredRun($"{description} ({outcome})") }, run.TimedOut ? 1 : 0);
        }
        finally
        {
            // The run's .nettrace files, kept where asked (a failed CI run's evidence). Copied, not moved: the
            // temporary folder and the one named may lie on different file systems.
            if (options.KeepTracesIn is { } keep && Directory.Exists(folder))
            {
                try
                {
                    var target = Path.Combine(keep, Path.GetFileName(folder));
                    foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
                    {
                        var copy = Path.Combine(target, Path.GetRelativePath(folder, file));
                        Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                        File.Copy(file, copy, overwrite: true);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"allocation-lens: measure: the traces could not be kept in {keep}: {ex.Message}");
                }
            }
            try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
