using AllocationLens.Verification;

namespace AllocationLens.RuntimeFacts;

/// <summary>
/// Produces one runtime's facts table: starts the probe twice on exactly that runtime
/// (`dotnet exec --fx-version V`, no inherited DOTNET_ or COMPlus_ setting): once under the verification
/// layer's JIT settings (no tiering, no PGO, DOTNET_JitDisasm=Inline_*) for the sizes, the calls and the
/// probes' listing, once with the runtime's defaults for the probes' steady state. The net8.0 probe runs
/// on .NET 8 and 9, the net10.0 probe (which adds probes of newer APIs) on 10 and newer.
/// </summary>
public static class RuntimeFactsGenerator
{
    public static string ProbeDirectory => Path.Combine(AppContext.BaseDirectory, "runtime-probe");

    public static string ProbePath(InstalledRuntime runtime) =>
        Path.Combine(ProbeDirectory, runtime.Version.Major >= 10 ? "net10.0" : "net8.0", "allocation-lens-runtime-probe.dll");

    /// <summary>The table's text; <paramref name="types"/> limits the `size` lines to those types (null: all).</summary>
    public static async Task<string> GenerateAsync(InstalledRuntime runtime, IReadOnlyCollection<string>? types, CancellationToken cancellationToken)
    {
        var work = Path.Combine(Path.GetTempPath(), "allocation-lens-facts", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            string facts = Path.Combine(work, "facts.tsv"), steady = Path.Combine(work, "steady.tsv"), listing = Path.Combine(work, "listing.asm");
            var args = new List<string> { "exec", "--fx-version", runtime.VersionText, ProbePath(runtime), "--out", facts };
            if (types is not null) { args.Add("--types"); args.Add(string.Join(",", types)); }
            var jit = CleanEnvironment(runtime);
            jit["DOTNET_TieredCompilation"] = "0";
            jit["DOTNET_TieredPGO"] = "0";
            jit["DOTNET_JitDisasm"] = "Inline_*";
            jit["DOTNET_JitStdOutFile"] = listing;
            await Run(runtime, args, jit, cancellationToken).ConfigureAwait(false);
            await Run(runtime, ["exec", "--fx-version", runtime.VersionText, ProbePath(runtime), "--out", steady, "--steady", "true"], CleanEnvironment(runtime), cancellationToken).ConfigureAwait(false);

            var lines = await File.ReadAllLinesAsync(facts, cancellationToken).ConfigureAwait(false);
            var probes = ProbeVerdicts.Read(lines, await File.ReadAllLinesAsync(steady, cancellationToken).ConfigureAwait(false),
                JitListing.Parse(await File.ReadAllTextAsync(listing, cancellationToken).ConfigureAwait(false), OperatingSystem.IsWindows()));
            return FactsFile.Write(runtime.VersionText, lines, ProbeVerdicts.Facts(probes));
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static async Task Run(InstalledRuntime runtime, List<string> args, Dictionary<string, string?> env, CancellationToken cancellationToken)
    {
        var result = await ChildProcess.RunAsync(runtime.Dotnet, args, env, TimeSpan.FromMinutes(5), cancellationToken).ConfigureAwait(false);
        if (result.TimedOut || result.ExitCode != 0)
            throw new InvalidOperationException($"the runtime probe on {runtime} {(result.TimedOut ? "timed out" : $"exited with code {result.ExitCode}")}: {result.StandardError.Trim()}");
    }

    private static Dictionary<string, string?> CleanEnvironment(InstalledRuntime runtime)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var key = (string)e.Key;
            if (key.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) && !key.StartsWith("DOTNET_CLI_", StringComparison.OrdinalIgnoreCase))
                env[key] = null;
        }
        env["DOTNET_ROOT"] = runtime.DotnetRoot;
        return env;
    }
}
