using AllocationLens.Bench;
using AllocationLens.Workspace;

// MSBuildLocator first, before anything that touches Microsoft.Build is compiled.
if (MsBuildRegistration.EnsureRegistered() is { } problem) { Console.Error.WriteLine(problem); return 1; }
if (args is [ColdStart.BareOpenVerb, var projectToOpen, ..]) return await ColdStart.BareOpenAsync(projectToOpen, compile: args.Contains("--compile"));

// Usage: 0 harness PATH [--runtime 10.0]... : the differential harness: static verdicts
// against the JIT's on every object, array, box and delegate site of PATH (file, project, solution, folder).
if (args is [_, "harness", var harnessPath, ..])
{
    var runtimes = new List<string>();
    for (int i = 3; i + 1 < args.Length; i++) if (args[i] == "--runtime") runtimes.Add(args[++i]);
    var report = await AllocationLens.Cli.DifferentialHarness.RunAsync(harnessPath, runtimes, null, Console.Error);
    if (report is null) { Console.Error.WriteLine($"harness: could not analyse {harnessPath}"); return 1; }
    foreach (var line in report.Lines()) Console.WriteLine(line);
    return 0;
}

// Usage: 0 harness-measured PATH [--runtime 10.0]... : the harness's third column: PATH's tests run under
// `measure` with verification; per site whose code ran, the static and the JIT verdict against the measurement.
if (args is [_, "harness-measured", var measuredPath, ..])
{
    var runtimes = new List<string>();
    for (int i = 3; i + 1 < args.Length; i++) if (args[i] == "--runtime") runtimes.Add(args[++i]);
    return await MeasuredHarness.RunAsync(measuredPath, runtimes, Console.Out);
}

// The harness above needs no checkout (it runs from a copied build too); every section below does.
var root = FindRoot();

// Usage: [edits] view [SOLUTION OPEN-FILE]: the Allocations view on a real solution (default: the four
// libraries of bench/README in one solution, CsvReader.cs open): time to the complete tree against
// `allocation-lens analyze`, and edit latency while the view's scan runs against the floor.
if (args is [_, "view", ..])
{
    int viewEdits = int.TryParse(args[0], out var ve) && ve > 0 ? ve : 30;
    var solution = args.Length > 2 ? args[2] : ViewBench.EnsureSolution();
    var openFile = args.Length > 3 ? args[3] : Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(solution)!)!, "CsvHelper", "src", "CsvHelper", "CsvReader.cs");
    var view = await ViewBench.RunAsync(solution, openFile, viewEdits);
    Console.WriteLine($"view          {view.Solution}: {view.Projects} projects, {view.Lines} lines; workspace load {view.LoadMs / 1000:0.0} s");
    Console.WriteLine($"view          complete tree {view.ViewMs / 1000:0.0} s (first file after {view.FirstPartialMs:0} ms; again {view.ViewAgainMs / 1000:0.0} s): {view.Files} files, {view.Sites} sites; " +
                      $"`allocation-lens analyze` {view.AnalyzeMs / 1000:0.0} s ({view.AnalyzeSites} sites, load + compile + analysis on all cores); " +
                      $"load + tree {(view.LoadMs + view.ViewMs) / view.AnalyzeMs:0.00}x analyze");
    Console.WriteLine($"view          edit latency (didChange → inlayHint, 60 lines of {Path.GetFileName(openFile)}): floor median {view.FloorMedianMs:0.0} ms (p90 {view.FloorP90Ms:0.0}); " +
                      $"while the view computes median {view.DuringMedianMs:0.0} ms (p90 {view.DuringP90Ms:0.0}) = {view.DuringMedianMs / view.FloorMedianMs:0.00}x; {view.Scans} scan(s), {view.Preemptions} preemptions");
    return 0;
}

// Usage: 0 measure-overhead [PATH [ROUNDS]] | 0 measure-memory [PATH]: what Measure costs (bench/README,
// "Measure"): a measured `dotnet test --no-build` against a plain one, and the peak working set of reading
// its traces. PATH defaults to test/projects/MeasureFixture (about 750 MB allocated by its workloads).
if (args is [_, "measure-overhead" or "measure-memory", ..])
{
    var measurePath = args.Length > 2 ? Path.GetFullPath(args[2]) : Path.Combine(root, "test", "projects", "MeasureFixture");
    Console.WriteLine($"measure on {measurePath} ({Environment.ProcessorCount} cores; load average before: {LoadAverage()})");
    if (args[1] == "measure-overhead")
    {
        int rounds = args.Length > 3 && int.TryParse(args[3], out var r) ? r : 3;
        var measuredRounds = await MeasureCost.OverheadAsync(measurePath, rounds);
        foreach (var round in measuredRounds)
            Console.WriteLine($"measure-overhead  plain {round.PlainMs / 1000,6:0.0} s   measured run {round.RunMs / 1000,6:0.0} s + reading {round.ReadMs / 1000,5:0.0} s ({round.Processes} traces, {round.TraceBytes / 1e6:0.0} MB)   " +
                              $"ratio {(round.RunMs + round.ReadMs) / round.PlainMs:0.00}x (run alone {round.RunMs / round.PlainMs:0.00}x)");
        double Median(Func<MeasureCost.Round, double> f) => measuredRounds.Select(f).Order().ElementAt(measuredRounds.Count / 2);
        Console.WriteLine($"measure-overhead  median ratio {Median(r => (r.RunMs + r.ReadMs) / r.PlainMs):0.00}x (target <= 1.5x), run alone {Median(r => r.RunMs / r.PlainMs):0.00}x; load average after: {LoadAverage()}");
    }
    else
    {
        var memory = await MeasureCost.MemoryAsync(measurePath);
        Console.WriteLine($"measure-memory    {memory.Processes} traces, {memory.TraceBytes / 1e6:0.0} MB; ~{memory.AllocatedBytes / 1e6:0} MB allocated by the run (estimated, in the user's code and outside it); " +
                          $"working set before reading {memory.BaselineBytes / 1e6:0} MB, peak while reading {memory.PeakBytes / 1e6:0} MB{(memory.PeakIsTheReadings ? "" : " (the process's peak: it could not be reset)")}; load average after: {LoadAverage()}");
    }
    return 0;
}

static string LoadAverage()
{
    try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
    catch (IOException) { return "unknown"; }
}

// Usage: dotnet run -c Release --project bench/AllocationLens.Bench [edits-per-size]
// Usage: [edits-per-size] [section: latency|project-latency|throughput|build-ratio|large|project-soak|cold|branch-switch|memory|fuzz|soak|verify|harness PATH|all]
int edits = args.Length > 0 && int.TryParse(args[0], out var e) ? e : 40;
string section = args.Length > 1 ? args[1] : "all";
bool Run(string name) => section == "all" || section == name;
Console.WriteLine($"Allocation Lens benchmarks ({Environment.ProcessorCount} cores, {edits} edits per size; ratios measured in this run)");
Console.WriteLine();
var results = new List<EditLatency.Result>();
foreach (var lines in Run("latency") ? new[] { 1_000, 5_000, 20_000 } : [])
{
    var result = await EditLatency.RunAsync(lines, edits);
    results.Add(result);
    Console.WriteLine($"edit latency  {lines,6} lines: server {result.ServerMedianMs,7:0.0} ms   floor {result.FloorMedianMs,7:0.0} ms   ratio {result.Ratio,5:0.00}x (target <= 1.2x); members from the cache {result.CacheHits}, analysed {result.CacheMisses}");
}
if (results.Count > 0) Console.WriteLine($"edit latency  20k/1k: {results[^1].ServerMedianMs / results[0].ServerMedianMs:0.00}x (target <= 1.5x)");

// Edit latency as the product is judged (the shared edit-latency script's method, SharedLatency): one class
// of 1k-50k lines, the Release CLI's server over stdio, a no-op one-character edit, Roslyn alone as the floor.
if (section == "shared-latency")
{
    foreach (var lines in new[] { 1_000, 5_000, 20_000, 50_000 })
    {
        var r = await SharedLatency.RunAsync(root, lines);
        Console.WriteLine($"shared edit   {lines,6} lines: server {r.ServerMedianMs,7:0.0} ms   floor {r.FloorMedianMs,7:0.0} ms   ratio {r.Ratio,5:0.00}x (target <= 1.2x)");
    }
    return 0;
}

// The same edits inside a loaded MSBuild project, in place and with Enter (the line count changes).
if (Run("project-latency"))
{
    Console.WriteLine();
    foreach (var lines in new[] { 1_000, 5_000, 20_000, 50_000 })
        foreach (var kind in new[] { ProjectEditLatency.EditKind.InsideBody, ProjectEditLatency.EditKind.Enter })
        {
            var result = await ProjectEditLatency.RunAsync(lines, edits, kind);
            Console.WriteLine($"project edit  {lines,6} lines, {(kind == ProjectEditLatency.EditKind.Enter ? "Enter" : "in a body"),-9}: server {result.ServerMedianMs,7:0.0} ms   floor {result.FloorMedianMs,7:0.0} ms   ratio {result.Ratio,5:0.00}x (target <= 1.2x); members from the cache {result.CacheHits}, analysed {result.CacheMisses}");
        }
}

Console.WriteLine();
var generated = Enumerable.Range(0, 20).Select(i => ($"/gen/File{i}.cs", CorpusGenerator.File(5_000, seed: i))).ToList();
var repoFiles = Directory.EnumerateFiles(Path.Combine(root, "server"), "*.cs", SearchOption.AllDirectories)
    .Where(p => !p.Contains("/obj/") && !p.Contains("/bin/")).Select(p => (p, File.ReadAllText(p))).ToList();
foreach (var result in Run("throughput") ? new[] { Throughput.Run("generated corpus", generated), Throughput.Run("this repository's server", repoFiles) } : [])
    Console.WriteLine($"throughput    {result.Name,-26} {result.Lines,7} lines: {result.LinesPerSecond,7:0} lines/s; analysis {result.AnalyzeMs,6:0} ms, of which binding {result.BindMs,6:0} ms; compile {result.CompileMs,6:0} ms; analysis/compile {result.Ratio:0.00}x, engine's own cost/compile {result.OverheadRatio:0.00}x (target <= 0.3x)");

Console.WriteLine();
if (Run("build-ratio"))
{
    var libraries = await BuildRatio.RunAsync(root, Console.Out);
    if (libraries.Count > 0)
        Console.WriteLine($"build ratio   median over {libraries.Count} real libraries: analyze {Statistics.Median(libraries.Select(l => l.Ratio).ToList()):0.00}x a `dotnet build -c Release --no-incremental` (target <= 0.5x) for a project loaded before, {Statistics.Median(libraries.Select(l => l.FirstRunRatio).ToList()):0.00}x for one seen the first time, {Statistics.Median(libraries.Select(l => l.BuildHostMs / l.BuildMs).ToList()):0.00}x loading through the build host; " +
                          $"analyze --verify {Statistics.Median(libraries.Select(l => l.VerifyColdMs / l.BuildMs).ToList()):0.00}x with its Release build, {Statistics.Median(libraries.Select(l => l.VerifyReusedMs / l.BuildMs).ToList()):0.00}x reused");
}

Console.WriteLine();
if (Run("cold"))
{
    // Usage: [edits] cold [PROJECT OPEN-FILE]: the sample by default, or a real project (bench/README).
    var cold = await ColdStart.RunAsync(root, args.Length > 3 ? args[2] : null, args.Length > 3 ? args[3] : null);
    Console.WriteLine($"cold start    fresh processes, median of 3: bare OpenProjectAsync {cold.BareOpenMs:0} ms; server (server-dist, ReadyToRun: {(cold.ServerIsReadyToRun ? "yes" : "no")}): " +
                      $"first hints (ad hoc) {cold.FirstHintsMs:0} ms = {cold.FirstHintsRatio:0.00}x (target <= 1.3x); hints judged from the project {cold.ProjectHintsMs:0} ms = {cold.ProjectHintsRatio:0.00}x; " +
                      $"warm `analyze` of the project {cold.WarmAnalyzeMs:0} ms: project hints = {cold.ProjectHintsToWarmAnalyze:0.00}x (target <= 0.35x)");
}

Console.WriteLine();
if (Run("branch-switch"))
{
    var b = await BranchSwitch.RunAsync();
    Console.WriteLine($"branch switch 500 files rewritten on disk under a loaded server, {BranchSwitch.Switches} switches: settled in {string.Join(", ", b.Switches.Select(s => $"{s.SettleMs:0}"))} ms vs the project's first load {b.LoadMs:0} ms " +
                      $"(median {Statistics.Median(b.Switches.Select(s => s.SettleMs).ToList()) / b.LoadMs:0.00}x); {b.Batches} batch(es), {b.ProjectLoads} project load(s)");
    Console.WriteLine($"branch switch managed heap {b.ManagedBefore / 1e6:0.0} MB before, then {string.Join(" → ", b.Switches.Select(s => $"{s.Managed / 1e6:0.0}"))} MB (last {(double)b.Switches[^1].Managed / b.ManagedBefore:0.00}x before); " +
                      $"working set {b.WorkingSetBefore / 1e6:0} → {string.Join(" → ", b.Switches.Select(s => $"{s.WorkingSet / 1e6:0}"))} MB");
}

Console.WriteLine();
if (Run("memory"))
{
    foreach (var memory in await Memory.RunAsync(root))
        Console.WriteLine($"memory        {memory.Name}: server after load (projects compiled, one file open, hints served) {memory.ServerBytes / 1e6:0} MB; " +
                          $"bare workspace (opened and compiled) {memory.BareBytes / 1e6:0} MB = {memory.Ratio:0.00}x");
}

Console.WriteLine();
if (Run("fuzz"))
{
    var fuzz = await Fuzz.RunAsync(root, Math.Max(10_000, edits));
    Console.WriteLine($"fuzz          {fuzz.Edits} random edits through the server in {fuzz.Seconds:0} s: text identical to the reference at all {fuzz.Checks} checks, final hints identical to a fresh open");
}

Console.WriteLine();
// Usage: [edits] verify-project PROJECT TARGET [PROJECT TARGET]...: Verify with JIT on real projects (bench/README).
if (args is [_, "verify-project", ..])
{
    for (int i = 2; i + 1 < args.Length; i += 2)
    {
        var real = await VerifyCost.RunOnProjectAsync(root, args[i], args[i + 1]);
        Console.WriteLine($"verify        {Path.GetFileNameWithoutExtension(real.Project)} ({real.TargetFramework}), every method on .NET 10: {real.VerifyColdMs / 1000:0.0} s with its Release build = " +
                          $"{real.VerifyColdMs / real.BuildMs:0.00}x a `dotnet build -c Release --no-incremental` ({real.BuildMs / 1000:0.0} s, target <= 1.5x); " +
                          $"{real.VerifyReusedMs / 1000:0.0} s = {real.VerifyReusedMs / real.BuildMs:0.00}x with the build reused; {real.Judged} allocations judged, {real.Unprepared} methods unprepared");
    }
    return 0;
}

if (Run("verify"))
{
    var verify = await VerifyCost.RunAsync(root);
    Console.WriteLine($"verify        one file of {verify.Methods} methods: {verify.FileColdMs:0} ms with its Release build = {verify.FileColdMs / verify.BuildMs:0.00}x a `dotnet build -c Release --no-incremental` ({verify.BuildMs:0} ms); " +
                      $"{verify.FileReusedMs:0} ms = {verify.FileReusedMs / verify.BuildMs:0.00}x with the build reused; whole project (10 files, 1,000 methods) {verify.ProjectMs:0} ms = {verify.ProjectMs / verify.BuildMs:0.00}x");
}

Console.WriteLine();
if (Run("soak"))
{
var soak = await Soak.RunAsync(5_000);
Console.WriteLine("soak          " + string.Join("; ", soak.Select(s => $"after {s.Edits} edits: heap {s.ManagedBytes / 1e6:0.0} MB, working set {s.WorkingSetBytes / 1e6:0} MB")));
Console.WriteLine($"soak          heap growth from 500 to 5,000 edits: {(double)soak[^1].ManagedBytes / soak[0].ManagedBytes:0.00}x (bounded: about 1x)");
}
Console.WriteLine();
// A real 240k-line project (ImageSharp, bench/README), fresh processes, both sides ReadyToRun.
if (Run("large"))
{
    var imageSharp = Path.Combine(BuildRatio.RealCache, "ImageSharp", "src", "ImageSharp");
    var serverDll = Path.Combine(root, "server-dist", "allocation-lens.dll");
    if (!Directory.Exists(imageSharp)) Console.WriteLine($"large         skipped: {imageSharp} is not in the real-code cache (bench/README)");
    else
    {
        var lines = Directory.EnumerateFiles(imageSharp, "*.cs", SearchOption.AllDirectories).Where(p => !p.Contains("/obj/") && !p.Contains("/bin/")).Sum(p => File.ReadLines(p).Count());
        var bench = ColdStart.EnsureReadyToRunBench(root);
        var project = Path.Combine(imageSharp, "ImageSharp.csproj");
        var bareOpen = ColdStart.BareWorkspace(bench, project, compile: false);
        var bare = ColdStart.BareWorkspace(bench, project, compile: true);
        var server = await ColdStart.ServerAsync(serverDll, imageSharp, Path.Combine(imageSharp, "Formats", "Jpeg", "JpegDecoderCore.cs"), fromLine: 200, toLine: 300); // a viewport with its first sites
        Console.WriteLine($"large         ImageSharp ({lines:N0} lines): first hints for a 100-line viewport (ad hoc, while MSBuild loads) {server.FirstHintsMs:0} ms (target <= 1500 ms); hints judged from the project {server.ProjectHintsMs:0} ms, " +
                          $"against a bare workspace's open {bareOpen.Milliseconds:0} ms and open + compile {bare.Milliseconds:0} ms");
        Console.WriteLine($"large         memory after load: server {server.WorkingSetBytes / 1e6:0} MB vs bare workspace (opened and compiled) {bare.WorkingSetBytes / 1e6:0} MB = {(double)server.WorkingSetBytes / bare.WorkingSetBytes:0.00}x (target <= 1.3x)");
    }
}

Console.WriteLine();
if (Run("project-soak"))
{
    var csvHelper = Path.Combine(BuildRatio.RealCache, "CsvHelper", "src", "CsvHelper");
    if (!Directory.Exists(csvHelper)) Console.WriteLine($"project soak  skipped: {csvHelper} is not in the real-code cache (bench/README)");
    else
    {
        // ALLOCATION_LENS_SOAK_LAPS=6 runs three simulated hours instead of one.
        int laps = int.TryParse(Environment.GetEnvironmentVariable("ALLOCATION_LENS_SOAK_LAPS"), out var l) && l >= 2 ? l : 2;
        var soak = await ProjectSoak.RunAsync(csvHelper, laps);
        Console.WriteLine($"project soak  CsvHelper, {laps * 1_800:N0} actions, one per simulated second (edits with hints, hovers, saves, every file opened {laps} times): " +
                          string.Join("; ", soak.Select(s => $"{s.When} ({s.Seconds} s) heap {s.ManagedBytes / 1e6:0.0} MB, working set {s.WorkingSetBytes / 1e6:0} MB")));
        Console.WriteLine($"project soak  last lap against the one before: heap {(double)soak[^1].ManagedBytes / soak[^2].ManagedBytes:0.00}x, working set {(double)soak[^1].WorkingSetBytes / soak[^2].WorkingSetBytes:0.00}x (bounded: about 1x)");
    }
}
return 0;

static string FindRoot()
{
    for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
    throw new InvalidOperationException("server.sln not found");
}
