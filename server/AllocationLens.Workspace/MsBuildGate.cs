namespace AllocationLens.Workspace;

/// <summary>
/// One MSBuild at a time in this process: an in-process design-time build, or MSBuildWorkspace opening
/// projects through its build host.
/// <para>
/// The two share the process's current directory. MSBuild's in-process node changes it to each
/// project's folder while it builds, and puts it back after. Roslyn starts the build host as a child
/// process that inherits it, and we cannot give that child a working directory of our own. Started from
/// a folder that no longer exists, the build host never runs: the open fails at once with "Unable to
/// find the specified file", and the load has no project. In CI that most likely happened when a test
/// deleted a temporary project while the in-process build of another test still stood in its folder.
/// </para>
/// <para>
/// So a build host is only started under this gate, when no in-process build moves the directory. It
/// is started from a directory that exists: the process's own, else the folder of the project it opens.
/// A server started in a folder since deleted then still loads. This is the one place server-side code
/// touches the current directory (ArchitectureTests).
/// </para>
/// </summary>
public static class MsBuildGate
{
    private static readonly SemaphoreSlim s_one = new(1, 1);

    /// <summary>Waits for the gate; disposing the result lets the next MSBuild in.</summary>
    public static async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await s_one.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Held();
    }

    /// <summary>
    /// Waits for the gate before MSBuildWorkspace may start a build host, and makes sure the directory it
    /// will inherit exists: the current one when it does, else <paramref name="projectFolder"/>.
    /// </summary>
    public static async Task<IDisposable> EnterForBuildHostAsync(string projectFolder, CancellationToken cancellationToken)
    {
        var held = await EnterAsync(cancellationToken).ConfigureAwait(false);
        EnsureFolderExists(projectFolder);
        return held;
    }

    private static void EnsureFolderExists(string fallbackFolder)
    {
        try
        {
            if (Directory.Exists(Directory.GetCurrentDirectory())) return;
        }
        // Unix: getcwd fails once the folder is deleted.
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        if (Directory.Exists(fallbackFolder)) Directory.SetCurrentDirectory(fallbackFolder);
    }

    private sealed class Held : IDisposable
    {
        private int _released;
        public void Dispose() { if (Interlocked.Exchange(ref _released, 1) == 0) s_one.Release(); }
    }
}
