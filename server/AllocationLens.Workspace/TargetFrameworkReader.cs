using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace AllocationLens.Workspace;

/// <summary>
/// Reads a project's target framework: the project name's "(net8.0)" suffix for multi-targeted
/// projects as MSBuildWorkspace loads them, else TargetFramework(s) from the project file or the
/// Directory.Build.props files above it.
/// </summary>
public static partial class TargetFrameworkReader
{
    [GeneratedRegex(@"\((?<tfm>net[^)]*)\)$")]
    private static partial Regex NameSuffix();

    public static string? Read(string? projectPath, string? projectName = null)
    {
        if (projectName is not null && NameSuffix().Match(projectName) is { Success: true } m) return m.Groups["tfm"].Value;
        return ReadAll(projectPath).FirstOrDefault();
    }

    /// <summary>Every target framework the project file (or the nearest Directory.Build.props) names.</summary>
    public static IReadOnlyList<string> ReadAll(string? projectPath)
    {
        if (projectPath is null || !File.Exists(projectPath)) return [];
        var fromProject = FromFile(projectPath);
        if (fromProject.Count > 0) return fromProject;
        for (var dir = Path.GetDirectoryName(projectPath); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            // MSBuild imports only the nearest Directory.Build.props; so do we.
            var props = Path.Combine(dir, "Directory.Build.props");
            if (File.Exists(props)) return FromFile(props);
        }
        return [];
    }

    private static IReadOnlyList<string> FromFile(string path)
    {
        try
        {
            var doc = XDocument.Load(path);
            var single = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "TargetFramework")?.Value.Trim();
            if (!string.IsNullOrEmpty(single) && !single.Contains('$')) return [single];
            var multi = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "TargetFrameworks")?.Value;
            return multi?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(t => !t.Contains('$')).ToList() ?? [];
        }
        catch (Exception)
        {
            return [];
        }
    }
}
