using System.Diagnostics;
using AllocationLens.Server;
using AllocationLens.TestSupport;
using Microsoft.CodeAnalysis.MSBuild;

namespace AllocationLens.Bench;

/// <summary>
/// Cold start on the sample, each side in a fresh process, timed from spawn:
/// the published server (server-dist, what the extension starts) driven over stdio until its first
/// hints (served ad hoc at once) and until hints judged from the MSBuild project; against this
/// benchmark's own executable doing nothing but a bare MSBuildWorkspace.OpenProjectAsync of the same
/// project, and against a warm `allocation-lens analyze` of the whole project (same server-dist, design-time
/// results cached). Both sides are ReadyToRun-compiled (the benchmark publishes itself that way first), so
/// neither pays for jitting what the other does not. The median of several runs is reported, after one
/// untimed run of each to warm the disk cache.
/// </summary>
public static class ColdStart
{
    /// <param name="WarmAnalyzeMs">`allocation-lens analyze` of the whole project from the same server-dist, its design-time results cached.</param>
    public sealed record Result(double BareOpenMs, double FirstHintsMs, double ProjectHintsMs, bool ServerIsReadyToRun, double WarmAnalyzeMs)
    {
        public double FirstHintsRatio => FirstHintsMs / BareOpenMs;
        public double ProjectHintsRatio => ProjectHintsMs / BareOpenMs;
        public double ProjectHintsToWarmAnalyze => ProjectHintsMs / WarmAnalyzeMs;
    }

    public const string BareOpenVerb = "bare-open";

    /// <summary>
    /// The child process's whole job: open the project or solution (and, with --compile, build every
    /// project's compilation, as a workspace that answers semantic questions must), say "ready", and
    /// stay alive until told to exit, so the parent can read its working set in that state.
    /// </summary>
    public static async Task<int> BareOpenAsync(string path, bool compile)
    {
        using var workspace = MSBuildWorkspace.Create();
        var solution = path.EndsWith(".sln", StringComparison.OrdinalIgnoreCase)
            ? await workspace.OpenSolutionAsync(path)
            : (await workspace.OpenProjectAsync(path)).Solution;
        if (compile)
            foreach (var project in solution.Projects) _ = await project.GetCompilationAsync();
        Console.WriteLine($"ready: {solution.Projects.Count()} project(s)");
        Console.ReadLine();
        GC.KeepAlive(solution);
        return 0;
    }

    /// <param name="projectPath">A real project instead of the sample (bench/README lists the ones measured), with <paramref name="openFile"/> the file the editor opens.</param>
    public static async Task<Result> RunAsync(string repoRoot, string? projectPath = null, string? openFile = null, int runs = 3)
    {
        var project = projectPath is null ? Path.Combine(repoRoot, "samples", "OrderPipeline", "OrderPipeline.csproj") : Path.GetFullPath(projectPath);
        var projectDir = Path.GetDirectoryName(project)!;
        var file = openFile is null ? Path.Combine(projectDir, "OrderProcessor.cs") : Path.GetFullPath(openFile);
        var serverDll = Path.Combine(repoRoot, "server-dist", "allocation-lens.dll");
        if (!File.Exists(serverDll))
            throw new InvalidOperationException($"{serverDll} is missing: run `npm run build:server` first (the benchmark measures the server the extension ships).");
        if (!File.Exists(Path.Combine(projectDir, "obj", "project.assets.json")))
            Run("dotnet", $"restore \"{project}\"");

        var bareOpenDll = PublishSelfReadyToRun(repoRoot);
        ReadyToRunBench = bareOpenDll;
        var bare = new List<double>();
        var first = new List<double>();
        var projectHints = new List<double>();
        var analyze = new List<double>();
        for (int i = 0; i <= runs; i++)
        {
            double bareMs = TimeBareOpen(bareOpenDll, project);
            var (firstMs, projectMs, _) = await ServerAsync(serverDll, projectDir, file);
            var analyzeWatch = Stopwatch.StartNew();
            Run("dotnet", $"\"{serverDll}\" analyze \"{project}\" --format json");
            double analyzeMs = analyzeWatch.Elapsed.TotalMilliseconds;
            if (i == 0) continue; // warm-up: disk cache, MSBuild's evaluation caches on disk, the design-time cache
            bare.Add(bareMs);
            first.Add(firstMs);
            projectHints.Add(projectMs);
            analyze.Add(analyzeMs);
        }
        return new Result(Statistics.Median(bare), Statistics.Median(first), Statistics.Median(projectHints), ReadyToRun.IsReadyToRun(serverDll), Statistics.Median(analyze));
    }

    /// <summary>This benchmark, published ReadyToRun for this machine like server-dist (artifacts/, git-ignored).</summary>
    private static string PublishSelfReadyToRun(string repoRoot)
    {
        var output = Path.Combine(repoRoot, "artifacts", "bench-readytorun");
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        Run("dotnet", $"publish \"{Path.Combine(repoRoot, "bench", "AllocationLens.Bench", "AllocationLens.Bench.csproj")}\" -c Release -r {rid} --self-contained false -p:PublishReadyToRun=true -o \"{output}\" --nologo -v quiet");
        var dll = Path.Combine(output, "AllocationLens.Bench.dll");
        if (!ReadyToRun.IsReadyToRun(dll)) throw new InvalidOperationException($"{dll} was not published ReadyToRun");
        return dll;
    }

    private static double TimeBareOpen(string bareOpenDll, string project) => BareWorkspace(bareOpenDll, project, compile: false).Milliseconds;

    /// <summary>A bare workspace in a fresh process: the time until it is ready, and its working set then.</summary>
    internal static (double Milliseconds, long WorkingSetBytes) BareWorkspace(string bareOpenDll, string path, bool compile)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(new ProcessStartInfo("dotnet", $"\"{bareOpenDll}\" {BareOpenVerb} \"{path}\"{(compile ? " --compile" : "")}")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var line = process.StandardOutput.ReadLine();
        double ms = watch.Elapsed.TotalMilliseconds;
        if (line is null || !line.StartsWith("ready", StringComparison.Ordinal)) throw new InvalidOperationException($"the bare workspace failed on {path}: {line}");
        process.Refresh();
        long workingSet = process.WorkingSet64;
        process.StandardInput.WriteLine();
        process.WaitForExit();
        return (ms, workingSet);
    }

    /// <summary>The benchmark's own ReadyToRun copy, once published (the memory section reuses it).</summary>
    internal static string? ReadyToRunBench { get; private set; }

    internal static string EnsureReadyToRunBench(string repoRoot) => ReadyToRunBench ??= PublishSelfReadyToRun(repoRoot);

    /// <summary>
    /// The published server in a fresh process, driven over stdio: time to the first hints, time to hints
    /// judged from the loaded project(s), and its working set at that point.
    /// </summary>
    internal static async Task<(double FirstHintsMs, double ProjectHintsMs, long WorkingSetBytes)> ServerAsync(string serverDll, string projectDir, string file, int fromLine = 0, int toLine = 200)
    {
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(ServerEnvironment.ApplyTo(new ProcessStartInfo("dotnet", $"\"{serverDll}\" lsp")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        }, serverDll))!;
        process.ErrorDataReceived += (_, _) => { }; // drain the log so the server never blocks on stderr
        process.BeginErrorReadLine();
        await using var client = new LspTestClient(process.StandardInput.BaseStream, process.StandardOutput.BaseStream);
        var uri = UriPaths.ToUri(file);
        await client.RequestAsync("initialize", new
        {
            processId = Environment.ProcessId,
            rootUri = UriPaths.ToUri(projectDir),
            capabilities = new { workspace = new { inlayHint = new { refreshSupport = true } } },
            initializationOptions = new { trusted = true },
        });
        await client.NotifyAsync("initialized", new { });
        await client.NotifyAsync("textDocument/didOpen", new { textDocument = new { uri, languageId = "csharp", version = 1, text = File.ReadAllText(file) } });
        var range = new { start = new { line = fromLine, character = 0 }, end = new { line = toLine, character = 0 } };
        var hints = await client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri }, range }, TimeSpan.FromMinutes(2));
        double firstMs = watch.Elapsed.TotalMilliseconds;
        if (hints["result"] is not System.Text.Json.Nodes.JsonArray { Count: > 0 })
            throw new InvalidOperationException($"the server gave no first hints: {hints.ToJsonString()}");
        await LspTestClient.Eventually(() => client.ServerRequests.Contains("workspace/inlayHint/refresh"), TimeSpan.FromMinutes(10), "the project load");
        await client.RequestAsync("textDocument/inlayHint", new { textDocument = new { uri }, range }, TimeSpan.FromMinutes(10));
        double projectMs = watch.Elapsed.TotalMilliseconds;
        process.Refresh();
        long workingSet = process.WorkingSet64;
        await client.RequestAsync("shutdown", null);
        await client.NotifyAsync("exit", null);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (firstMs, projectMs, workingSet);
    }

    private static void Run(string exe, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(exe, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{exe} {arguments} failed ({process.ExitCode}): {stdout.Result}{stderr.Result}");
    }
}
