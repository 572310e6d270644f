namespace AllocationLens.Workspace;

/// <summary>
/// What a design-time build read, as stamps that change when it would come out differently:
/// <list type="bullet">
/// <item>every file the evaluation imported (the project, Directory.Build.*, the SDK's targets, NuGet's
/// generated props), the restore's project.assets.json and the nearest global.json, by time and size;</item>
/// <item>every folder of the project's tree but bin, obj and dot-folders, by time: adding, removing or
/// renaming a file changes its folder's, and so the Compile globs' result;</item>
/// <item>in every folder above the project, the files MSBuild and the compiler look for there
/// (Directory.Build.props, .editorconfig, …), present or not: one created later is imported next time.
/// The folders' own times would say the same, but they move whenever anything is written beside the
/// project's tree (in /tmp, in a home folder), and every such move would be a miss.</item>
/// </list>
/// A project with a Compile item outside its tree (other than in its obj folder) is not cached at all:
/// the folders such an item's glob reads are not known.
/// </summary>
public sealed class DesignTimeInputs
{
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);

    /// <summary>
    /// What the SDK's props and targets, NuGet and the compiler search for in a project's ancestors
    /// (GetDirectoryNameOfFileAbove, editorconfig discovery, global.json for the SDK's choice).
    /// </summary>
    private static readonly string[] LookedForAbove =
        ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "Directory.Build.rsp", "global.json", ".editorconfig", ".globalconfig"];

    /// <summary>Why these inputs cannot be trusted to be complete, when they cannot.</summary>
    public string? NotCacheable { get; private set; }

    /// <param name="intermediateFolder">
    /// The project's obj folder (BaseIntermediateOutputPath): the Compile items the SDK's targets write
    /// there (global usings, assembly attributes) are named by properties, not found by globs, so they may
    /// lie outside the project's folder, as in the artifacts layout.
    /// </param>
    public void AddProject(string projectPath, IEnumerable<string> imports, string? assetsFile, string? intermediateFolder, IEnumerable<string> compileItems)
    {
        var folder = Path.GetDirectoryName(projectPath)!;
        _files.Add(projectPath);
        foreach (var import in imports) _files.Add(import);
        if (!string.IsNullOrEmpty(assetsFile)) _files.Add(assetsFile);
        if (GlobalJsonSdk.Nearest(folder) is { } globalJson) _files.Add(globalJson);
        for (var dir = Path.GetDirectoryName(folder); dir is not null; dir = Path.GetDirectoryName(dir))
            foreach (var name in LookedForAbove) _files.Add(Path.Combine(dir, name));
        AddTree(folder);
        var prefix = folder + Path.DirectorySeparatorChar;
        var generated = intermediateFolder is null ? null : Path.TrimEndingDirectorySeparator(intermediateFolder) + Path.DirectorySeparatorChar;
        bool Known(string item) => item.StartsWith(prefix, StringComparison.Ordinal) || (generated is not null && item.StartsWith(generated, StringComparison.Ordinal));
        if (compileItems.FirstOrDefault(item => !Known(item)) is { } outside)
            NotCacheable ??= $"{Path.GetFileName(projectPath)} compiles {outside}, outside its folder";
    }

    /// <summary>A file read besides the evaluation's imports (a solution file, for one).</summary>
    public void AddFile(string path) => _files.Add(Path.GetFullPath(path));

    private void AddTree(string folder)
    {
        _directories.Add(folder);
        IEnumerable<string> children;
        try { children = Directory.EnumerateDirectories(folder); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { NotCacheable ??= $"{folder} cannot be listed"; return; }
        foreach (var child in children)
        {
            var name = Path.GetFileName(child);
            if (name is "bin" or "obj" || name.StartsWith('.')) continue;
            AddTree(child);
        }
    }

    /// <summary>The stamps as they are now.</summary>
    public (IReadOnlyList<FileStamp> Files, IReadOnlyList<DirectoryStamp> Directories) Stamp() =>
        ([.. _files.Order(StringComparer.Ordinal).Select(FileStamp.Of)], [.. _directories.Order(StringComparer.Ordinal).Select(DirectoryStamp.Of)]);
}

/// <summary>A file's last write time and length; -1 for a file that does not exist.</summary>
public sealed record FileStamp(string Path, long Ticks, long Length)
{
    public static FileStamp Of(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new FileStamp(path, info.LastWriteTimeUtc.Ticks, info.Length) : new FileStamp(path, -1, -1);
    }
}

/// <summary>A folder's last write time; -1 for a folder that does not exist.</summary>
public sealed record DirectoryStamp(string Path, long Ticks)
{
    public static DirectoryStamp Of(string path)
    {
        var info = new DirectoryInfo(path);
        return new DirectoryStamp(path, info.Exists ? info.LastWriteTimeUtc.Ticks : -1);
    }
}
