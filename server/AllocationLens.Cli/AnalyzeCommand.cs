using System.Text.Json;
using AllocationLens.Analysis;
using AllocationLens.Verification;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;

namespace AllocationLens.Cli;

/// <summary>What `analyze` found: every site with the target it was judged for, the JIT's verdicts when verified, and budget violations.</summary>
public sealed record AnalysisRun(List<(AllocationSite Site, string Target)> Results, string Target, AnalyzeVerification? Verification, Budgets Budgets);

/// <summary>
/// `allocation-lens analyze PATH`: loads a file (on its own), a project, a solution or a folder and
/// prints every site, like `go build -gcflags=-m`. Exit code 0 whatever it finds; 1 when nothing could
/// be loaded; 2 for usage errors (in Program).
/// </summary>
public static class AnalyzeCommand
{
    public static async Task<int> RunAsync(AnalyzeOptions options, string? msbuildProblem, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var (analysis, exit) = await CollectAsync(options, msbuildProblem, stderr, cancellationToken).ConfigureAwait(false);
        if (analysis is null) return exit;
        if (options.Format == "json") WriteJson(stdout, analysis.Results, analysis.Target, analysis.Verification, analysis.Budgets);
        else if (options.Format == "sarif") SarifReport.Write(stdout, analysis.Results, analysis.Verification, analysis.Budgets);
        else WriteText(stdout, analysis.Results, analysis.Verification, analysis.Budgets);
        return Budgets.ExitCode(options.FailOn, analysis.Budgets);
    }

    /// <summary>
    /// Loads and analyses <see cref="AnalyzeOptions.Path"/> (and verifies it with the JIT when asked), without
    /// writing the report: what `analyze` prints and what the differential harness compares. Null with the
    /// exit code when nothing could be loaded.
    /// </summary>
    public static async Task<(AnalysisRun? Run, int Exit)> CollectAsync(AnalyzeOptions options, string? msbuildProblem, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(options.Path);
        var results = new List<(AllocationSite Site, string Target)>();
        var groups = new List<AnalyzedGroup>();
        var progress = options.Progress ?? TerminalProgress.For(stderr);
        // ALLOCATION_LENS_TIMINGS=1: where the time goes, per phase, on stderr (bench/README's profile of analyze).
        var timings = Environment.GetEnvironmentVariable("ALLOCATION_LENS_TIMINGS") is { Length: > 0 } ? new PhaseTimings() : null;
        string? target = options.Target;

        if (File.Exists(full) && full.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
        {
            AnalyzeLoose([full], options.Target, results, groups, stderr, progress);
        }
        else if (File.Exists(full) || Directory.Exists(full))
        {
            bool hasProjects = WorkspaceLoader.Resolve(full).Count > 0;
            if (!hasProjects && Directory.Exists(full))
            {
                var files = Directory.EnumerateFiles(full, "*.cs", SearchOption.AllDirectories).Where(p => !IsBuildOutput(p)).OrderBy(p => p, StringComparer.Ordinal).ToList();
                if (files.Count == 0) { stderr.WriteLine($"allocation-lens: no C# files under {options.Path}"); return (null, 1); }
                AnalyzeLoose(files, options.Target, results, groups, stderr, progress);
            }
            else
            {
                if (msbuildProblem is not null) { stderr.WriteLine($"allocation-lens: {msbuildProblem}"); return (null, 1); }
                LoadedWorkspace loaded;
                progress.Phase($"loading {DisplayPath(full)}");
                var loadProgress = new SynchronousProgress(message => progress.Phase(message));
                using var warmUpStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var warmUp = options.WarmUp ? LoadTimeWarmUp.Start(WorkspaceLoader.Resolve(full), warmUpStop.Token) : Task.FromResult(0);
                try { loaded = await WorkspaceLoader.LoadAsync(full, line => { progress.Clear(); stderr.WriteLine(line); }, loadProgress, inProcess: options.InProcessLoad, cache: options.DesignTimeCache).ConfigureAwait(false); }
                catch (Exception ex) { stderr.WriteLine($"allocation-lens: could not load {options.Path}: {ex.Message}"); return (null, 1); }
                finally
                {
                    // The real work needs both cores: the warm-up is told to stop as soon as the load is done.
                    // It is not waited for: it may be inside a step it cannot leave at once (a compilation's
                    // references), at nice 19 it yields the cores meanwhile, and nothing it made is used.
                    timings?.End("load (MSBuild)");
                    warmUpStop.Cancel();
                    timings?.End(warmUp.IsCompleted ? $"warm-up stopped ({warmUp.Result} files warmed)" : "warm-up told to stop");
                }
                foreach (var failure in loaded.Failures)
                {
                    var dir = Path.GetDirectoryName(failure.ProjectPath)!;
                    var files = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories).Where(p => !IsBuildOutput(p)).OrderBy(p => p, StringComparer.Ordinal).ToList();
                    stderr.WriteLine($"allocation-lens: {failure.Message} ({files.Count} file(s) in {DisplayPath(dir)})");
                    // Judged for the project's own target, unless --target says otherwise.
                    var tfm = options.Target ?? failure.TargetFramework;
                    target ??= tfm;
                    if (files.Count > 0) AnalyzeLoose(files, tfm, results, groups, stderr, progress);
                }
                if (!loaded.Solution.Projects.Any() && loaded.FailedProjects.Count == 0) { stderr.WriteLine($"allocation-lens: no project could be loaded from {options.Path}"); return (null, 1); }
                foreach (var project in loaded.Solution.Projects.OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    var tfm = options.Target ?? loaded.TargetOf(project.Id);
                    target ??= tfm;
                    progress.Phase($"compiling {project.Name}");
                    // Parse on every core first: the compilation then takes the trees as they are, where it
                    // would otherwise parse the documents one after another (CsvHelper: 2.0 s → see bench/README).
                    await Parallel.ForEachAsync(project.Documents, cancellationToken, async (document, ct) => await document.GetSyntaxTreeAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
                    // The SDK's generators that nothing in the project triggers produce nothing, yet cost most of the compilation.
                    var compiled = await IdleFrameworkGenerators.RemoveFromAsync(project, cancellationToken).ConfigureAwait(false);
                    var compilation = await compiled.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
                    if (compilation is null) continue;
                    timings?.End("compilation (parse, generators)");
                    var analyzer = Analyzer(tfm, stderr);
                    var trees = new List<SyntaxTree>();
                    foreach (var document in compiled.Documents.OrderBy(d => d.FilePath, StringComparer.Ordinal))
                    {
                        if (document.FilePath is null || IsBuildOutput(document.FilePath)) continue;
                        if (await document.GetSyntaxTreeAsync().ConfigureAwait(false) is { } tree) trees.Add(tree);
                    }
                    int start = results.Count;
                    progress.Phase($"analysing {project.Name}", trees.Count);
                    foreach (var sites in analyzer.AnalyzeAll(compilation, trees, cancellationToken, progress.Step)) results.AddRange(sites.Select(s => (s, tfm)));
                    timings?.End("binding and analysis");
                    if (project.FilePath is { } projectPath)
                        groups.Add(new AnalyzedGroup(projectPath, [], loaded.TargetOf(project.Id), start, results.Count, compilation, trees));
                }
            }
        }
        else
        {
            stderr.WriteLine($"allocation-lens: no such file or directory: {options.Path}");
            return (null, 1);
        }

        progress.Clear();
        target ??= "net10.0";
        var verification = options.Verify
            ? await AnalyzeVerification.RunAsync(groups, results, options.Runtimes, stderr, cancellationToken).ConfigureAwait(false)
            : null;
        timings?.End("verification");
        var budgets = Budgets.Check(groups, results, full, stderr, cancellationToken, options.CountCold);
        timings?.End("budgets");
        if (timings is not null) stderr.WriteLine($"allocation-lens: timings: {timings}");
        return (new AnalysisRun(results, target, verification, budgets), 0);
    }

    private static AllocationAnalyzer Analyzer(string tfm, TextWriter stderr) => new(TargetRuntime.Parse(tfm))
    {
        // Documents are analysed in parallel: one writer at a time.
        OnInternalError = (node, ex) => { lock (stderr) stderr.WriteLine($"allocation-lens: internal error at {node.GetLocation().GetLineSpan()}: {ex.Message}"); },
    };

    private static void AnalyzeLoose(IReadOnlyList<string> files, string? target, List<(AllocationSite, string)> results, List<AnalyzedGroup> groups, TextWriter stderr, TerminalProgress progress)
    {
        progress.Phase("analysing files on their own", files.Count);
        int start = results.Count;
        var trees = files.Select(f => AdHocCompilation.Parse(File.ReadAllText(f), f)).ToList();
        var compilation = AdHocCompilation.Create(trees);
        var tfm = target ?? "net10.0";
        var analyzer = Analyzer(tfm, stderr);
        foreach (var sites in analyzer.AnalyzeAll(compilation, trees, default, progress.Step)) results.AddRange(sites.Select(s => (s, tfm)));
        groups.Add(new AnalyzedGroup(null, files, tfm, start, results.Count, compilation, trees));
    }

    private static bool IsBuildOutput(string path) =>
        path.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Any(part => part is "obj" or "bin");

    public static string DisplayPath(string path)
    {
        if (path.Length == 0) return path;
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return (relative.StartsWith("..", StringComparison.Ordinal) ? path : relative).Replace('\\', '/');
    }

    private static void WriteText(TextWriter stdout, List<(AllocationSite Site, string Target)> results, AnalyzeVerification? verification, Budgets budgets)
    {
        foreach (var (site, tfm) in results)
        {
            stdout.WriteLine($"{DisplayPath(site.Where.Path)}:{site.Where.Lines.Start.Line + 1}:{site.Where.Lines.Start.Character + 1}: {Label(site.Kind)}: {site.Message}{(site.Cold is { } cold ? $" [{cold.Word}: {cold.Id}]" : "")}");
            if (verification?.Sites.GetValueOrDefault(site) is not { } jit) continue;
            if (jit.Verdicts.Length > 0)
            {
                var line = "    jit: " + string.Join(", ", jit.Verdicts.Select(v => $".NET {v.Runtime} {v.Kind}"));
                if (JitVerifier.Comparable(jit.Verdicts, tfm, verification.Runtimes) is { } compared && JitVerifier.Disagrees(site.Kind, compared))
                    line += $"  <-- DISAGREES: static {Label(site.Kind)}, JIT .NET {compared.Runtime} {compared.Kind}";
                stdout.WriteLine(line);
            }
            foreach (var note in jit.Notes) stdout.WriteLine($"    jit: not judged: {note}");
        }
        foreach (var v in budgets.Violations)
            stdout.WriteLine($"{DisplayPath(v.Declaration.Path)}:{v.Declaration.Line + 1}:{v.Declaration.Lines.Start.Character + 1}: budget: {v.Message}");
        if (verification is null) return;
        foreach (var line in verification.Summary()) stdout.WriteLine(line);
    }

    private static string Label(AllocationKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>A cold site's `cold` object in JSON and SARIF: its reason, the hint's word, and the sentence; null for other sites.</summary>
    internal static object? ColdJson(ColdPath? cold) => cold is null ? null : new { reason = cold.Id, label = cold.Word, message = cold.Text };

    /// <summary>The public JSON contract (docs/json-format.md): version 1, 1-based lines and columns.</summary>
    private static void WriteJson(TextWriter stdout, List<(AllocationSite Site, string Target)> results, string target, AnalyzeVerification? verification, Budgets budgets)
    {
        var document = new
        {
            version = 1,
            target,
            verification = verification is null ? null : new
            {
                runtimes = verification.Runtimes,
                problems = verification.Problems,
            },
            budgets = budgets.Violations.Count == 0 ? null : budgets.Violations.Select(v => new
            {
                method = v.Method,
                path = DisplayPath(v.Declaration.Path),
                line = v.Declaration.Line + 1,
                column = v.Declaration.Lines.Start.Character + 1,
                source = v.Budget.Source,
                maxSites = v.Budget.MaxSites,
                maxBytes = v.Budget.MaxBytes,
                sites = v.Sites.Count,
                bytes = v.Sites.Any(s => s.Bytes is null) ? (int?)null : v.Sites.Sum(s => s.Bytes ?? 0),
                message = v.Message,
            }).ToArray(),
            unprepared = verification?.Unprepared.Select(u => new { method = u.Method, reason = u.Reason, runtimes = u.Runtimes }).ToArray(),
            sites = results.Select(r => new
            {
                path = DisplayPath(r.Site.Where.Path),
                line = r.Site.Where.Lines.Start.Line + 1,
                column = r.Site.Where.Lines.Start.Character + 1,
                endLine = r.Site.Where.Lines.End.Line + 1,
                endColumn = r.Site.Where.Lines.End.Character + 1,
                kind = Label(r.Site.Kind),
                category = r.Site.Category,
                type = r.Site.TypeName,
                bytes = r.Site.Bytes,
                message = r.Site.Message,
                why = r.Site.Why.Select(w => new { path = DisplayPath(w.Where.Path), line = w.Where.Line + 1, column = w.Where.Lines.Start.Character + 1, message = w.Text }).ToArray(),
                remedies = r.Site.Remedies.ToArray(),
                cold = ColdJson(r.Site.Cold),
                loopDepth = r.Site.LoopDepth,
                certain = r.Site.Certain,
                target = r.Target,
                jit = verification?.Sites.GetValueOrDefault(r.Site) is { Verdicts.Length: > 0 } jit
                    ? jit.Verdicts.Select(v => new { runtime = v.Runtime, kind = v.Kind }).ToArray()
                    : null,
            }).ToArray(),
        };
        stdout.WriteLine(JsonSerializer.Serialize(document, new JsonSerializerOptions
        {
            WriteIndented = true,
            // Messages quote code with backticks and arrows; keep them readable (output is not HTML).
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        }));
    }

    /// <summary>Reports on the caller's thread: Progress&lt;T&gt; would post to the thread pool and reorder the status line.</summary>
    private sealed class SynchronousProgress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }

    /// <summary>Milliseconds per named phase, summed over projects, since the process started.</summary>
    private sealed class PhaseTimings
    {
        private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
        private readonly Dictionary<string, double> _phases = new(StringComparer.Ordinal);
        private double _last = (DateTime.Now - System.Diagnostics.Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        private readonly double _startup;

        public PhaseTimings() => _startup = _last;

        public void End(string phase)
        {
            double now = _startup + _watch.Elapsed.TotalMilliseconds;
            _phases[phase] = _phases.GetValueOrDefault(phase) + (now - _last);
            _last = now;
        }

        public override string ToString() =>
            $"process start {_startup:0} ms; " + string.Join("; ", _phases.Select(p => $"{p.Key} {p.Value:0} ms")) + $"; total {_last:0} ms";
    }
}
