namespace AllocationLens.Measurement;

/// <summary>
/// Which processes of a run need the JIT's events. Resolving a sample's frames to the user's code needs
/// every method load and IL map of the process, which is most of a trace and most of the recording's cost;
/// a process that never runs the user's code (the `dotnet test` CLI and its MSBuild evaluation, vstest's
/// console, which is handed the test assembly but runs it in a test host) needs none of it: its allocations
/// are all outside the user's code whatever its stacks say. A process runs the user's code when the
/// program it runs is one of the user's assemblies: an apphost of that name, `dotnet [exec] App.dll`, or a
/// host started with the assembly's runtimeconfig or deps file (`dotnet exec --runtimeconfig
/// Tests.runtimeconfig.json … testhost.dll`, which loads the tests in process). Without a list of
/// assemblies, or when the command line cannot be read (it is read from /proc, so on Linux only), every
/// process is recorded in full. A process recorded lightly that loads a user assembly after all is named in
/// the report (<see cref="TracedProcess.Light"/>), never silently dropped.
/// </summary>
internal sealed class RecordingDepth(IReadOnlySet<string>? userAssemblies)
{
    public bool IsLight(int processId)
    {
        if (userAssemblies is null || userAssemblies.Count == 0) return false;
        return CommandLine(processId) is { Count: > 0 } arguments && !RunsUserCode(arguments);
    }

    /// <summary>The host's options that take a value (dotnet exec's, before the program).</summary>
    private static readonly HashSet<string> HostOptionsWithValue = new(StringComparer.Ordinal)
    {
        "--runtimeconfig", "--depsfile", "--additionalprobingpath", "--additional-deps", "--fx-version", "--roll-forward",
    };

    internal bool RunsUserCode(IReadOnlyList<string> arguments)
    {
        if (IsUserAssembly(arguments[0], allowBare: true)) return true;
        if (!Path.GetFileNameWithoutExtension(arguments[0]).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return false;
        for (int i = 1; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument == "exec") continue;
            if (HostOptionsWithValue.Contains(argument))
            {
                if (i + 1 < arguments.Count && (argument is "--runtimeconfig" or "--depsfile") && IsUserAssembly(arguments[i + 1], allowBare: false)) return true;
                i++;
                continue;
            }
            if (argument.StartsWith('-')) continue;
            // The program: the first argument that is not the host's.
            return IsUserAssembly(argument, allowBare: false);
        }
        return false;
    }

    /// <summary>"App.dll", "App.exe", "App.runtimeconfig.json", "App.deps.json" of a user assembly; bare "App" only as an existing file (an apphost).</summary>
    private bool IsUserAssembly(string path, bool allowBare)
    {
        var name = Path.GetFileName(path);
        foreach (var suffix in new[] { ".dll", ".exe", ".runtimeconfig.json", ".deps.json" })
            if (name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return userAssemblies!.Contains(name[..^suffix.Length]);
        return allowBare && userAssemblies!.Contains(name) && File.Exists(path);
    }

    /// <summary>
    /// The process's arguments, from /proc/PID/cmdline on Linux (NUL-separated). Elsewhere null (every process
    /// in full): the diagnostic port's process information is not public API of the client library.
    /// </summary>
    private static IReadOnlyList<string>? CommandLine(int processId)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try { return File.ReadAllText($"/proc/{processId}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
