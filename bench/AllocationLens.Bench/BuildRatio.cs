using System.Diagnostics;

namespace AllocationLens.Bench;

/// <summary>
/// `allocation-lens analyze` on real libraries against `dotnet build -c Release --no-incremental` of the
/// same project (the throughput target: median ratio at most 0.5x), each a fresh process, medians
/// of three, in one run. `analyze --verify` is reported the same way: its first run includes the private
/// Release build, the second reuses it. Libraries are read from the real-code cache (bench/README says
/// how they are fetched); a library that is not there is skipped and said so.
/// </summary>
public static class BuildRatio
{
    public sealed record Result(string Library, double BuildMs, double AnalyzeMs, double FirstRunMs, double BuildHostMs, bool SameReport, double VerifyColdMs, double VerifyReusedMs, int Sites)
    {
        /// <summary>`analyze` of a project it has loaded before (design-time results from the cache).</summary>
        public double Ratio => AnalyzeMs / BuildMs;

        /// <summary>`analyze` of a project seen for the first time (no design-time cache).</summary>
        public double FirstRunRatio => FirstRunMs / BuildMs;
    }

    /// <summary>The libraries of bench/README's table: folder under the cache, and the project analysed.</summary>
    public static readonly (string Name, string Project)[] Libraries =
    [
        ("CsvHelper", "src/CsvHelper/CsvHelper.csproj"),
        ("Polly", "src/Polly.Core/Polly.Core.csproj"),
        ("RestSharp", "src/RestSharp/RestSharp.csproj"),
        ("Serilog", "src/Serilog/Serilog.csproj"),
        ("ImageSharp", "src/ImageSharp/ImageSharp.csproj"),
    ];

    public static string RealCache => Environment.GetEnvironmentVariable("ALLOCATION_LENS_REAL") is { Length: > 0 } dir
        ? dir : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "allocation-lens", "real");

    public static async Task<IReadOnlyList<Result>> RunAsync(string repoRoot, TextWriter log, int repeats = 3, bool verify = true)
    {
        var cli = Path.Combine(repoRoot, "server-dist", "allocation-lens.dll");
        if (!File.Exists(cli)) throw new InvalidOperationException($"{cli} is missing: run `npm run build:server` first.");
        var verifyCache = Path.Combine(Path.GetTempPath(), "allocation-lens-bench-verify");
        if (Directory.Exists(verifyCache)) Directory.Delete(verifyCache, recursive: true);
        var results = new List<Result>();
        // ALLOCATION_LENS_BENCH_LIBRARIES=CsvHelper,Polly narrows the run (ImageSharp's build alone takes minutes).
        var only = Environment.GetEnvironmentVariable("ALLOCATION_LENS_BENCH_LIBRARIES")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (int.TryParse(Environment.GetEnvironmentVariable("ALLOCATION_LENS_BENCH_REPEATS"), out var r) && r > 0) repeats = r;
        foreach (var (name, relative) in Libraries)
        {
            if (only is not null && !only.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            var project = Path.Combine(RealCache, name, relative);
            if (!File.Exists(project)) { log.WriteLine($"build ratio   {name}: skipped, {project} is not in the real-code cache"); continue; }
            var dir = Path.GetDirectoryName(project)!;
            var restore = await Run("dotnet", dir, null, "restore", project, "-nologo", "-v:q");
            if (restore.Code != 0) { log.WriteLine($"build ratio   {name}: skipped, restore failed: {Last(restore.Output)}"); continue; }

            var (builds, analyses, firstRuns, throughBuildHost) = (new List<double>(), new List<double>(), new List<double>(), new List<double>());
            // The design-time cache of this run: primed once, so the timed runs read it (an unchanged project).
            var cache = new Dictionary<string, string> { ["ALLOCATION_LENS_DESIGN_TIME_CACHE"] = Path.Combine(Path.GetTempPath(), "allocation-lens-bench-design-time") };
            if (Directory.Exists(cache.Values.Single())) Directory.Delete(cache.Values.Single(), recursive: true);
            await Run("dotnet", dir, cache, cli, "analyze", project, "--format", "json");
            int sites = 0;
            bool sameReport = true;
            for (int i = 0; i < repeats; i++)
            {
                var build = await Run("dotnet", dir, null, "build", project, "-c", "Release", "--no-incremental", "--no-restore", "-nologo", "-v:q");
                if (build.Code != 0) throw new InvalidOperationException($"{name}: dotnet build failed: {Last(build.Output)}");
                builds.Add(build.Ms);
                var analyze = await Run("dotnet", dir, cache, cli, "analyze", project, "--format", "json");
                if (analyze.Code != 0) throw new InvalidOperationException($"{name}: analyze failed ({analyze.Code}): {Last(analyze.Output)}");
                analyses.Add(analyze.Ms);
                sites = analyze.Output.Split("\"kind\"").Length - 1;
                // The same run as on a project seen for the first time: MSBuild evaluates and builds it.
                var first = await Run("dotnet", dir, new() { [DesignTimeCacheOff] = "1" }, cli, "analyze", project, "--format", "json");
                if (first.Code != 0) throw new InvalidOperationException($"{name}: analyze without the design-time cache failed ({first.Code}): {Last(first.Output)}");
                firstRuns.Add(first.Ms);
                sameReport &= first.Stdout == analyze.Stdout;
                // The same run loading through MSBuildWorkspace's build host instead of MSBuild in our
                // process (InProcessProjectLoader), to show what that buys; its report must be the same.
                var host = await Run("dotnet", dir, new() { ["ALLOCATION_LENS_BUILD_HOST"] = "1", [DesignTimeCacheOff] = "1" }, cli, "analyze", project, "--format", "json");
                if (host.Code != 0) throw new InvalidOperationException($"{name}: analyze through the build host failed ({host.Code}): {Last(host.Output)}");
                throughBuildHost.Add(host.Ms);
                sameReport &= host.Stdout == analyze.Stdout;
            }
            double verifyCold = double.NaN, verifyReused = double.NaN;
            if (verify)
            {
                var env = new Dictionary<string, string> { ["ALLOCATION_LENS_VERIFY_CACHE"] = verifyCache };
                var cold = await Run("dotnet", dir, env, cli, "analyze", project, "--verify", "--runtime", "10.0", "--format", "json");
                var reused = await Run("dotnet", dir, env, cli, "analyze", project, "--verify", "--runtime", "10.0", "--format", "json");
                if (cold.Code == 0) verifyCold = cold.Ms;
                if (reused.Code == 0) verifyReused = reused.Ms;
            }
            var result = new Result(name, Statistics.Median(builds), Statistics.Median(analyses), Statistics.Median(firstRuns), Statistics.Median(throughBuildHost), sameReport, verifyCold, verifyReused, sites);
            results.Add(result);
            log.WriteLine($"build ratio   {name,-10}: dotnet build {result.BuildMs,7:0} ms; analyze {result.AnalyzeMs,7:0} ms = {result.Ratio:0.00}x ({sites} sites; design-time results from the cache); " +
                          $"first run (no design-time cache) {result.FirstRunMs,7:0} ms = {result.FirstRunRatio:0.00}x; " +
                          $"through the build host {result.BuildHostMs,7:0} ms = {result.BuildHostMs / result.BuildMs:0.00}x (report {(result.SameReport ? "identical" : "DIFFERENT")}); " +
                          $"analyze --verify {verifyCold,7:0} ms = {verifyCold / result.BuildMs:0.00}x with its Release build, {verifyReused,7:0} ms = {verifyReused / result.BuildMs:0.00}x reused");
        }
        return results;
    }

    private const string DesignTimeCacheOff = "ALLOCATION_LENS_NO_DESIGN_TIME_CACHE";

    private static string Last(string output) => string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(3));

    private static async Task<(int Code, double Ms, string Output, string Stdout)> Run(string exe, string workingDirectory, Dictionary<string, string>? env, params string[] args)
    {
        var start = new ProcessStartInfo(exe) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? []) start.Environment[k] = v;
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        watch.Stop();
        return (process.ExitCode, watch.Elapsed.TotalMilliseconds, await stdout + await stderr, await stdout);
    }
}
