namespace AllocationLens.Workspace;

/// <summary>What a file on disk means to a loaded workspace when it changes.</summary>
public enum WatchedFileKind
{
    /// <summary>A C# source file: its document's text, or a project's list of documents, changes.</summary>
    Source,
    /// <summary>A project file: that project is loaded again.</summary>
    Project,
    /// <summary>A file MSBuild reads for every project in or below its folder (Directory.Build.*, global.json, …): those projects are loaded again.</summary>
    BuildInput,
    /// <summary>A project's restore output (project.assets.json): its project is loaded again.</summary>
    RestoreOutput,
    /// <summary>`.allocationlens.json`: budgets are checked again; no project changes.</summary>
    Budgets,
    /// <summary>Anything else: only a folder created or deleted matters (the sources in it).</summary>
    Other,
}

/// <summary>A file the editor reported as created, changed or deleted, at its full path.</summary>
public sealed record WatchedFile(string Path, WatchedFileKind Kind)
{
    /// <summary>The file names MSBuild imports or reads for every project below their folder.</summary>
    private static readonly string[] BuildInputs = ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", ".editorconfig"];

    public static WatchedFile At(string path)
    {
        var name = System.IO.Path.GetFileName(path);
        var kind = name.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) ? WatchedFileKind.Source
            : name.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase) ? WatchedFileKind.Project
            : BuildInputs.Any(b => string.Equals(b, name, StringComparison.OrdinalIgnoreCase)) ? WatchedFileKind.BuildInput
            : string.Equals(name, "project.assets.json", StringComparison.OrdinalIgnoreCase) ? WatchedFileKind.RestoreOutput
            : string.Equals(name, BudgetConfiguration.FileName, StringComparison.OrdinalIgnoreCase) ? WatchedFileKind.Budgets
            : WatchedFileKind.Other;
        return new WatchedFile(path, kind);
    }

    /// <summary>
    /// Whether the path lies in a build output folder (bin/ or obj/) below <paramref name="projectFolder"/>.
    /// Such files (the SDK's generated AssemblyInfo and global usings among them) are the design-time
    /// build's business: a disk event never adds or removes them, only a project load does.
    /// </summary>
    public static bool IsBuildOutput(string path, string projectFolder)
    {
        var relative = System.IO.Path.GetRelativePath(projectFolder, path);
        return relative.Split(System.IO.Path.DirectorySeparatorChar).SkipLast(1).Any(part => part is "bin" or "obj");
    }
}
