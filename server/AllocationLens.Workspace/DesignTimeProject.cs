namespace AllocationLens.Workspace;

/// <summary>
/// What a project's design-time build says about it (one per target framework): the compiler's
/// command line, the Compile items, the projects it references, where its outputs go, and the warnings
/// MSBuild gave on the way (shown again when the results come from the cache). All paths are
/// absolute. Plain data, so DesignTimeCache can keep it between runs, and DesignTimeSolution turns it
/// into the Roslyn project MSBuildWorkspace would have made.
/// </summary>
public sealed record DesignTimeProject(
    string Path,
    string Name,
    string? TargetFramework,
    string[] CommandLine,
    DesignTimeProject.CompileItem[] Compile,
    string[] ProjectReferences,
    string? TargetPath,
    string? TargetRefPath,
    string? IntermediateAssembly,
    string? GeneratedFilesDirectory,
    string RootNamespace,
    string[] Warnings)
{
    /// <summary>A Compile item: its file, and its Link metadata (the folder it shows in), empty when none.</summary>
    public sealed record CompileItem(string Path, string Link);
}
