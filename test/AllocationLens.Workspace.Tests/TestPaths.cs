namespace AllocationLens.Workspace.Tests;

internal static class TestPaths
{
    /// <summary>The repository root, found from the test binaries' location.</summary>
    public static string Root { get; } = FindRoot();

    public static string Project(string name) => Path.Combine(Root, "test", "projects", name);

    private static string FindRoot()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "server.sln"))) return dir;
        throw new InvalidOperationException("server.sln not found above " + AppContext.BaseDirectory);
    }
}
