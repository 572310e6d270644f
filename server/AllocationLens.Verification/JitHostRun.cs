namespace AllocationLens.Verification;

/// <summary>What one runtime's JIT host produced: its report and the JIT's listing, or why there is none.</summary>
public sealed record HostRunResult(HostReport? Report, IReadOnlyList<ListedMethod> Listing, string? Error);

/// <summary>
/// Starts the JIT host on one runtime, the way Disasmo does: full optimization without tiering or
/// PGO (DOTNET_TieredCompilation=0, DOTNET_TieredPGO=0), every compiled method's code written by the
/// JIT itself (DOTNET_JitDisasm=*, DOTNET_JitStdOutFile). JIT settings inherited from the user's
/// environment are removed, so the verdict is the default JIT's. A host that crashes or hangs is
/// killed after <see cref="Timeout"/> and reported, never waited on.
/// </summary>
public static class JitHostRun
{
    public static TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    public static string HostPath => Path.Combine(AppContext.BaseDirectory, "jit-host", "allocation-lens-jit-host.dll");

    public static async Task<HostRunResult> RunAsync(InstalledRuntime runtime, string assemblyPath, IReadOnlyList<VerifyScope> scopes, CancellationToken cancellationToken)
    {
        if (!File.Exists(HostPath)) return new HostRunResult(null, [], $"the JIT host is missing ({HostPath}); reinstall the extension");
        var work = Path.Combine(Path.GetTempPath(), "allocation-lens-verify", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);
        try
        {
            var reportPath = Path.Combine(work, "report.jsonl");
            var listingPath = Path.Combine(work, "listing.asm");
            var tracePath = Path.Combine(work, "maps.nettrace");
            var args = new List<string> { "exec", "--fx-version", runtime.VersionText, HostPath, "--assembly", assemblyPath, "--report", reportPath };
            foreach (var s in scopes) { args.Add("--scope"); args.Add($"{s.Document}:{s.FromLine}-{s.ToLine}"); }

            var env = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            {
                var key = (string)e.Key;
                if (key.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) && !key.StartsWith("DOTNET_CLI_", StringComparison.OrdinalIgnoreCase))
                    env[key] = null;
            }
            env["DOTNET_ROOT"] = runtime.DotnetRoot;
            env["DOTNET_TieredCompilation"] = "0";
            env["DOTNET_TieredPGO"] = "0";
            env["DOTNET_JitDisasm"] = "*";
            env["DOTNET_JitStdOutFile"] = listingPath;
            env["DOTNET_JitDisasmSummary"] = "0";
            env["DOTNET_JitDisasmWithCodeBytes"] = "1";
            env["DOTNET_EnableEventPipe"] = "1";
            env["DOTNET_EventPipeOutputPath"] = tracePath;
            env["DOTNET_EventPipeConfig"] = JitTrace.ProviderConfig;
            env["DOTNET_EventPipeRundown"] = "0";

            var result = await ChildProcess.RunAsync(runtime.Dotnet, args, env, Timeout, cancellationToken).ConfigureAwait(false);
            var report = File.Exists(reportPath) ? HostReport.Parse(await File.ReadAllTextAsync(reportPath, cancellationToken).ConfigureAwait(false)) : null;
            var listing = File.Exists(listingPath) ? JitListing.Parse(await File.ReadAllTextAsync(listingPath, cancellationToken).ConfigureAwait(false), OperatingSystem.IsWindows()) : [];
            listing = JitTrace.Attach(listing, JitTrace.Read(tracePath));
            string? error = null;
            if (result.TimedOut) error = $"the JIT host on {runtime} did not finish within {Timeout.TotalSeconds:0} s and was stopped";
            else if (result.ExitCode != 0)
                error = $"the JIT host on {runtime} exited with code {result.ExitCode}" + (report?.CrashedIn is { } m ? $" while compiling {m}" : "")
                    + (LastLines(result.StandardError) is { Length: > 0 } tail ? $": {tail}" : "");
            return new HostRunResult(report, listing, error);
        }
        finally
        {
            try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static string LastLines(string text) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(3));
}
