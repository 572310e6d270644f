using System.Diagnostics;

namespace AllocationLens.Workspace;

/// <summary>
/// Restores projects that were never restored (a fresh clone): without project.assets.json MSBuild
/// cannot resolve references, every framework type is missing and the analysis would be empty. Runs
/// `dotnet restore` once per load, only for trusted folders (restore evaluates project code).
/// </summary>
public static class ProjectRestore
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public static bool NeedsRestore(string target)
    {
        var projects = target.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase)
            ? [target]
            : Directory.EnumerateFiles(Directory.Exists(target) ? target : Path.GetDirectoryName(target)!, "*.csproj", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
                .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"));
        return projects.Any(p => !IsRestored(p));
    }

    /// <summary>
    /// Whether the project's restore output (project.assets.json) exists where the SDK writes it: obj/
    /// beside the project, or, with .NET 8's artifacts layout (`UseArtifactsOutput`, as in Polly),
    /// artifacts/obj/&lt;project&gt;/ under the folder that turned it on, one of the project's
    /// ancestors. Missing both, the project is restored, which is also what happens for a layout moved
    /// elsewhere (BaseIntermediateOutputPath): a restore too many costs a second, a restore too few
    /// costs every reference. Before the artifacts layout was known here, every `analyze` of such a
    /// project ran `dotnet restore` (1.3 s of Polly's 3.2 s load).
    /// </summary>
    public static bool IsRestored(string projectPath)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(projectPath))!;
        if (File.Exists(Path.Combine(folder, "obj", "project.assets.json"))) return true;
        var name = Path.GetFileNameWithoutExtension(projectPath);
        for (var dir = folder; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "artifacts", "obj", name, "project.assets.json"))) return true;
        return false;
    }

    public static async Task<bool> RestoreAsync(string target, Action<string>? log, CancellationToken cancellationToken)
    {
        var dotnet = DotnetExecutable();
        log?.Invoke($"restoring {target} (no project.assets.json yet): {dotnet} restore");
        // In the target's folder, never the process's current directory: the dotnet muxer picks the SDK from the
        // global.json above its working directory, and MSBuild in our process changes that directory while it builds.
        var folder = Directory.Exists(target) ? target : Path.GetDirectoryName(Path.GetFullPath(target))!;
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        start.ArgumentList.Add("restore");
        start.ArgumentList.Add(target);
        start.ArgumentList.Add("--verbosity");
        start.ArgumentList.Add("quiet");
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try { await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false); }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                log?.Invoke($"restore of {target} timed out after {Timeout.TotalMinutes} minutes");
                return false;
            }
            if (process.ExitCode != 0)
            {
                var detail = ((await output.ConfigureAwait(false)) + (await errors.ConfigureAwait(false))).Trim();
                log?.Invoke($"restore of {target} failed (exit {process.ExitCode}): {Truncate(detail)}");
                return false;
            }
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log?.Invoke($"could not run dotnet restore: {ex.Message}");
            return false;
        }
    }

    /// <summary>The dotnet host that runs us (the server is started as `dotnet allocation-lens.dll`), else PATH.</summary>
    private static string DotnetExecutable()
    {
        var fromHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromHost) && File.Exists(fromHost)) return fromHost;
        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return process;
        return "dotnet";
    }

    private static string Truncate(string s) => s.Length <= 600 ? s : s[..600] + "…";
}
