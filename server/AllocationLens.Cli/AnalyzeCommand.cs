using System.Text.Json;
using AllocationLens.Analysis;
using AllocationLens.Verification;
using AllocationLens.Workspace;
using Microsoft.CodeAnalysis;

namespace AllocationLens.Cli;

/// <summary>
/// What `analyze` found: every site of every project target with the target and runtime it was judged
/// for (<see cref="Results"/>, what verification and the differential harness compare), the same sites
/// one line per site (<see cref="Report"/>, what is printed), the JIT's verdicts when verified, and budget violations.
/// </summary>
public sealed record AnalysisRun(List<JudgedSite> Results, string Target, AnalyzeVerification? Verification, Budgets Budgets, IReadOnlyList<AnalyzedGroup> Groups)
{
    public List<ReportedSite> Report { get; } = ReportedSites.Merge(Groups, Results);

    /// <summary>`measure`: the run's measurements per site, and what ran; null for `analyze`.</summary>
    public AllocationLens.Measurement.MeasurementReport? Measurement { get; init; }
    public MeasuredRun? MeasuredRun { get; init; }
}

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
        Write(stdout, options.Format, analysis);
        return Budgets.ExitCode(options.FailOn, analysis.Budgets);
    }

    /// <summary>Writes the report in text, JSON or SARIF (with `measure`'s measurements when the run has them).</summary>
    internal static void Write(TextWriter stdout, string format, AnalysisRun analysis)
    {
        if (format == "json") WriteJson(stdout, analysis);
        else if (format == "sarif") SarifReport.Write(stdout, analysis.Report, analysis.Verification, analysis.Budgets, analysis.Measurement);
        else WriteText(stdout, analysis.Report, analysis.Verification, analysis.Budgets, analysis.Measurement, analysis.MeasuredRun);
    }

    /// <summary>
    /// Loads and analyses <see cref="AnalyzeOptions.Path"/> (and verifies it with the JIT when asked), without
    /// writing the report: what `analyze` prints and what the differential harness compares. Null with the
    /// exit code when nothing could be loaded.
    /// </summary>
    public static async Task<(AnalysisRun? Run, int Exit)> CollectAsync(AnalyzeOptions options, string? msbuildProblem, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        var full = Path.GetFullPath(options.Path);
        var results = new List<JudgedSite>();
        var groups = new List<AnalyzedGroup>();
        var progress = options.Progress ?? TerminalProgress.For(stderr);
        // ALLOCATION_LENS_TIMINGS=1: where the time goes, per phase, on stderr (bench/README's profile of analyze).
        var timings = Environment.GetEnvironmentVariable("ALLOCATION_LENS_TIMINGS") is { Length: > 0 } ? new PhaseTimings() : null;
        string? target = options.Target;
        var choice = options.RuntimeChoice;

        if (File.Exists(full) && full.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
        {
            AnalyzeLoose([full], options.Target, choice, results, groups, stderr, progress);
        }
        else if (File.Exists(full) || Directory.Exists(full))
        {
            bool hasProjects = WorkspaceLoader.Resolve(full).Count > 0;
            if (!hasProjects && Directory.Exists(full))
            {
                var files = Directory.EnumerateFiles(full, "*.cs", SearchOption.AllDirectories).Where(p => !IsBuildOutput(p)).OrderBy(p => p, StringComparer.Ordinal).ToList();
                if (files.Count == 0) { stderr.WriteLine($"allocation-lens: no C# files under {options.Path}"); return (null, 1); }
                AnalyzeLoose(files, options.Target, choice, results, groups, stderr, progress);
            }
            else if (GlobalJsonSdk.Unsatisfied(Directory.Exists(full) ? full : Path.GetDirectoryName(full)!, MsBuildRegistration.InstalledSdks) is { } pinned)
            {
                // No project under a global.json whose SDK is missing can be evaluated: judge the files on
                // their own, as the editor does, and say so on stderr (stdout carries only the report).
                var folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full)!;
                var files = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories).Where(p => !IsBuildOutput(p)).OrderBy(p => p, StringComparer.Ordinal).ToList();
                stderr.WriteLine($"allocation-lens: warning: {pinned}; judging {files.Count} file(s) on their own (install that SDK, or change global.json, for project-accurate verdicts)");
                if (files.Count == 0) { stderr.WriteLine($"allocation-lens: no C# files under {DisplayPath(folder)}"); return (null, 1); }
                AnalyzeLoose(files, options.Target, choice, results, groups, stderr, progress);
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
                    // Compiled for the project's own target (unless --target says otherwise), judged for the runtime that would run it.
                    var tfm = options.Target ?? failure.TargetFramework;
                    target ??= tfm;
                    var runtime = ProjectRuntimes.ForProjectFile(failure.ProjectPath, tfm, choice, InstalledDotnetRuntimes.Versions());
                    if (files.Count > 0) AnalyzeLoose(files, tfm ?? runtime.Moniker, runtime, results, groups, stderr, progress);
                }
                if (!loaded.Solution.Projects.Any() && loaded.FailedProjects.Count == 0) { stderr.WriteLine($"allocation-lens: no project could be loaded from {options.Path}"); return (null, 1); }
                loaded = loaded.WithRuntimeChoice(choice);
                foreach (var project in ProjectsToAnalyse(loaded, options.Target, stderr))
                {
                    var tfm = loaded.TargetOf(project.Id);
                    var runtimes = loaded.RuntimesOf(project.Id);
                    progress.Phase($"compiling {project.Name}");
                    // Parse on every core first: the compilation then takes the trees as they are, where it
                    // would otherwise parse the documents one after another (CsvHelper: 2.0 s → see bench/README).
                    await Parallel.ForEachAsync(project.Documents, cancellationToken, async (document, ct) => await document.GetSyntaxTreeAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
                    // The SDK's generators that nothing in the project triggers produce nothing, yet cost most of the compilation.
                    var compiled = await IdleFrameworkGenerators.RemoveFromAsync(project, cancellationToken).ConfigureAwait(false);
                    var compilation = await compiled.GetCompilationAsync(cancellationToken).ConfigureAwait(false);
                    if (compilation is null) continue;
                    timings?.End("compilation (parse, generators)");
                    var analyzer = Analyzer(runtimes.Primary, stderr);
                    var trees = new List<SyntaxTree>();
                    foreach (var document in compiled.Documents.OrderBy(d => d.FilePath, StringComparer.Ordinal))
                    {
                        if (document.FilePath is null || IsBuildOutput(document.FilePath)) continue;
                        if (await document.GetSyntaxTreeAsync().ConfigureAwait(false) is { } tree) trees.Add(tree);
                    }
                    int start = results.Count;
                    progress.Phase($"analysing {project.Name}", trees.Count);
                    foreach (var sites in analyzer.AnalyzeAll(compilation, trees, cancellationToken, progress.Step)) results.AddRange(sites.Select(s => new JudgedSite(s, tfm, runtimes.Primary)));
                    // A library that apps on other runtimes load too: its verdicts there, listed where they differ.
                    var elsewhere = new List<(TargetRuntime, IReadOnlyList<AllocationSite>)>();
                    foreach (var other in runtimes.Others)
                        elsewhere.Add((other, Analyzer(other, stderr).AnalyzeAll(compilation, trees, cancellationToken).SelectMany(x => x).ToList()));
                    timings?.End("binding and analysis");
                    if (project.FilePath is { } projectPath)
                        groups.Add(new AnalyzedGroup(projectPath, [], tfm, start, results.Count, compilation, trees) { Runtime = runtimes.Primary, Origin = runtimes.Origin, OtherRuntimeSites = elsewhere });
                }
            }
        }
        else
        {
            stderr.WriteLine($"allocation-lens: no such file or directory: {options.Path}");
            return (null, 1);
        }

        progress.Clear();
        // Which runtime each project was judged for, and why, once per project on stderr: the report's
        // lines speak of verdicts, and a verdict means nothing without the JIT it models.
        foreach (var project in groups.GroupBy(g => g.ProjectPath ?? "", StringComparer.Ordinal))
        {
            var primary = project.Key.Length == 0 ? project.First() : ReportedSites.Ranked(project).First();
            var name = project.Key.Length == 0 ? $"{project.Sum(g => g.LooseFiles.Count)} file(s) on their own" : $"{Path.GetFileNameWithoutExtension(project.Key)} ({string.Join(", ", project.Select(g => g.TargetFramework))})";
            stderr.WriteLine($"allocation-lens: {name}: judged for {primary.Runtime.Description}");
        }
        // The compile target the report names: --target, else the primary target of the first project.
        target = options.Target ?? (groups.FirstOrDefault(g => g.ProjectPath is not null) is { } first
            ? ReportedSites.Ranked(groups.Where(g => g.ProjectPath == first.ProjectPath)).First().TargetFramework
            : target) ?? "net10.0";
        var verification = options.Verify
            ? await AnalyzeVerification.RunAsync(groups, results, options.VerifyRuntimes, stderr, cancellationToken).ConfigureAwait(false)
            : null;
        timings?.End("verification");
        var budgets = Budgets.Check(groups, results, full, stderr, cancellationToken, options.CountCold, verification);
        timings?.End("budgets");
        if (timings is not null) stderr.WriteLine($"allocation-lens: timings: {timings}");
        return (new AnalysisRun(results, target, verification, budgets, groups), 0);
    }

    /// <summary>
    /// The loaded projects, by name. `--target` names the compile target: of a multi-targeted project only
    /// that target is analysed; a project that does not have it is analysed as it builds, and that is said.
    /// </summary>
    private static IEnumerable<Project> ProjectsToAnalyse(LoadedWorkspace loaded, string? target, TextWriter stderr)
    {
        var projects = loaded.Solution.Projects.OrderBy(p => p.Name, StringComparer.Ordinal).ToList();
        if (target is null) return projects;
        var kept = new List<Project>();
        foreach (var file in projects.GroupBy(p => p.FilePath ?? p.Id.ToString(), StringComparer.Ordinal))
        {
            var matching = file.Where(p => string.Equals(loaded.TargetOf(p.Id), target, StringComparison.OrdinalIgnoreCase)).ToList();
            if (matching.Count > 0) { kept.AddRange(matching); continue; }
            stderr.WriteLine($"allocation-lens: --target {target}: {Path.GetFileName(file.Key)} targets {string.Join(", ", file.Select(p => loaded.TargetOf(p.Id)))}; analysed as it builds");
            kept.AddRange(file);
        }
        return kept.OrderBy(p => p.Name, StringComparer.Ordinal);
    }

    private static AllocationAnalyzer Analyzer(TargetRuntime runtime, TextWriter stderr) => new(runtime)
    {
        // Documents are analysed in parallel: one writer at a time.
        OnInternalError = (node, ex) => { lock (stderr) stderr.WriteLine($"allocation-lens: internal error at {node.GetLocation().GetLineSpan()}: {ex.Message}"); },
    };

    /// <summary>Files no loaded project owns: compiled for `--target` (else net10.0), judged for the chosen runtime that loads that target.</summary>
    private static void AnalyzeLoose(IReadOnlyList<string> files, string? target, RuntimeChoice choice, List<JudgedSite> results, List<AnalyzedGroup> groups, TextWriter stderr, TerminalProgress progress) =>
        AnalyzeLoose(files, target ?? choice.Newest.Moniker, ProjectRuntimes.ForLooseFiles(target, choice, "files judged on their own"), results, groups, stderr, progress);

    private static void AnalyzeLoose(IReadOnlyList<string> files, string tfm, TargetRuntime runtime, List<JudgedSite> results, List<AnalyzedGroup> groups, TextWriter stderr, TerminalProgress progress)
    {
        progress.Phase("analysing files on their own", files.Count);
        int start = results.Count;
        var trees = files.Select(f => AdHocCompilation.Parse(File.ReadAllText(f), f)).ToList();
        var compilation = AdHocCompilation.Create(trees);
        var analyzer = Analyzer(runtime, stderr);
        foreach (var sites in analyzer.AnalyzeAll(compilation, trees, default, progress.Step)) results.AddRange(sites.Select(s => new JudgedSite(s, tfm, runtime)));
        groups.Add(new AnalyzedGroup(null, files, tfm, start, results.Count, compilation, trees) { Runtime = runtime });
    }

    private static bool IsBuildOutput(string path) =>
        path.Split(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar).Any(part => part is "obj" or "bin");

    public static string DisplayPath(string path)
    {
        if (path.Length == 0) return path;
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return (relative.StartsWith("..", StringComparison.Ordinal) ? path : relative).Replace('\\', '/');
    }

    private static void WriteText(TextWriter stdout, List<ReportedSite> report, AnalyzeVerification? verification, Budgets budgets,
        AllocationLens.Measurement.MeasurementReport? measurement = null, MeasuredRun? measuredRun = null)
    {
        foreach (var reported in report)
        {
            var site = reported.Site;
            stdout.WriteLine($"{DisplayPath(site.Where.Path)}:{site.Where.Lines.Start.Line + 1}:{site.Where.Lines.Start.Character + 1}: {Label(site.Kind)}: {site.Message}{(site.Cold is { } cold ? $" [{cold.Word}: {cold.Id}]" : "")}");
            if (reported.Runtimes.Count > 0) stdout.WriteLine($"    runtimes: {reported.RuntimesText}");
            if (reported.OnlyIn is { } onlyIn) stdout.WriteLine($"    only in: {string.Join(", ", onlyIn)}");
            if (measurement is not null) stdout.WriteLine(MeasuredLines.Text(site, measurement, verification, reported.Runtime.Moniker));
            if (verification?.Sites.GetValueOrDefault(site) is not { } jit) continue;
            if (jit.Verdicts.Length > 0)
            {
                var line = "    jit: " + string.Join(", ", jit.Verdicts.Select(v => $".NET {v.Runtime} {v.Kind}"));
                if (JitVerifier.Comparable(jit.Verdicts, reported.Runtime.Moniker, verification.Runtimes) is { } compared && JitVerifier.Disagrees(site.Kind, compared))
                    line += $"  <-- DISAGREES: static {Label(site.Kind)}, JIT .NET {compared.Runtime} {compared.Kind}";
                stdout.WriteLine(line);
            }
            foreach (var note in jit.Notes) stdout.WriteLine($"    jit: not judged: {note}");
        }
        foreach (var v in budgets.Violations)
            stdout.WriteLine($"{DisplayPath(v.Declaration.Path)}:{v.Declaration.Line + 1}:{v.Declaration.Lines.Start.Character + 1}: budget: {v.Message}");
        if (measurement is not null && measuredRun is not null)
            foreach (var line in MeasuredLines.Summary(measurement, measuredRun)) stdout.WriteLine(line);
        if (verification is null) return;
        foreach (var line in verification.Summary()) stdout.WriteLine(line);
    }

    private static string Label(AllocationKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>A cold site's `cold` object in JSON and SARIF: its reason, the hint's word, and the sentence; null for other sites.</summary>
    internal static object? ColdJson(ColdPath? cold) => cold is null ? null : new { reason = cold.Id, label = cold.Word, message = cold.Text };

    /// <summary>The public JSON contract (docs/json-format.md): version 1, 1-based lines and columns.</summary>
    private static void WriteJson(TextWriter stdout, AnalysisRun run)
    {
        var (verification, budgets) = (run.Verification, run.Budgets);
        var document = new
        {
            version = 1,
            target = run.Target,
            projects = run.Groups.Where(g => g.ProjectPath is not null).GroupBy(g => g.ProjectPath!, StringComparer.Ordinal).Select(p =>
            {
                var primary = ReportedSites.Ranked(p).First();
                return new
                {
                    path = DisplayPath(p.Key),
                    targets = p.Select(g => g.TargetFramework).ToArray(),
                    runtime = primary.Runtime.DisplayName,
                    runtimeReason = primary.Runtime.Reason,
                    // Each target's runtime (a multi-targeted library: each target is loaded by another runtime).
                    runtimes = p.Select(g => new { target = g.TargetFramework, runtime = g.Runtime.DisplayName, reason = g.Runtime.Reason, others = g.OtherRuntimeSites.Count == 0 ? null : g.OtherRuntimeSites.Select(o => new { runtime = o.Runtime.DisplayName, reason = o.Runtime.Reason }).ToArray() }).ToArray(),
                };
            }).ToArray(),
            verification = verification is null ? null : new
            {
                runtimes = verification.Runtimes,
                problems = verification.Problems,
                judgeable = verification.Judgeable,
                judged = verification.Judged,
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
                byJit = v.Basis?.ByJit,
                byStaticModel = v.Basis?.ByStaticModel,
                clearedByJit = v.Basis?.ClearedByJit,
            }).ToArray(),
            measurement = run.Measurement is not { } measured ? null : new
            {
                command = run.MeasuredRun?.Description,
                processes = measured.Processes,
                sources = measured.Sources,
                outside = MeasuredLines.JsonFigures(measured.Outside),
            },
            unexplained = run.Measurement?.Unexplained.Select(MeasuredLines.UnexplainedJson).ToArray(),
            unprepared = verification?.Unprepared.Select(u => new { method = u.Method, reason = u.Reason, runtimes = u.Runtimes }).ToArray(),
            sites = run.Report.Select(r => new
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
                runtime = r.Runtime.DisplayName,
                runtimeReason = r.Runtime.Reason,
                runtimes = r.Runtimes.Count == 0 ? null : r.Runtimes.Select(v => new { runtime = v.Runtime.DisplayName, target = v.Target, kind = v.KindText }).ToArray(),
                targets = r.OnlyIn,
                jit = verification?.Sites.GetValueOrDefault(r.Site) is { Verdicts.Length: > 0 } jit
                    ? jit.Verdicts.Select(v => new { runtime = v.Runtime, kind = v.Kind }).ToArray()
                    : null,
                jitNotes = verification?.Sites.GetValueOrDefault(r.Site) is { Notes.Length: > 0 } unjudged ? unjudged.Notes.ToArray() : null,
                measured = MeasuredLines.Json(r.Site, run.Measurement),
                coverage = run.Measurement is { } m ? MeasuredLines.CoverageWord(m.CoverageOf(r.Site)) : null,
                disagreement = MeasuredLines.Disagreement(r.Site, run.Measurement, verification, r.Runtime.Moniker),
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
