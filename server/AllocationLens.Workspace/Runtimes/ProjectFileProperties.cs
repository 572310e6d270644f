using System.Xml.Linq;

namespace AllocationLens.Workspace;

/// <summary>
/// Reads a property straight from a project file, or from the nearest Directory.Build.props above it
/// when the project does not set it: what decides the runtime of a project (OutputType, RollForward,
/// RuntimeFrameworkVersion, IsTestProject) without evaluating MSBuild. Values that use properties
/// (`$(...)`) are ignored: without evaluation they cannot be known, and a guess would be worse than
/// the default.
/// </summary>
public static class ProjectFileProperties
{
    public static string? Read(string? projectPath, string property)
    {
        if (projectPath is null || !File.Exists(projectPath)) return null;
        if (FromFile(projectPath, property) is { } value) return value;
        for (var dir = Path.GetDirectoryName(projectPath); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            // MSBuild imports only the nearest Directory.Build.props; so do we.
            var props = Path.Combine(dir, "Directory.Build.props");
            if (File.Exists(props)) return FromFile(props, property);
        }
        return null;
    }

    /// <summary>True when the project is an app by its file: OutputType Exe/WinExe, or a test project.</summary>
    public static bool DeclaresApp(string? projectPath) =>
        Read(projectPath, "OutputType") is { } type && (type.Equals("Exe", StringComparison.OrdinalIgnoreCase) || type.Equals("WinExe", StringComparison.OrdinalIgnoreCase))
        || string.Equals(Read(projectPath, "IsTestProject"), "true", StringComparison.OrdinalIgnoreCase)
        || ReferencesTestSdk(projectPath);

    /// <summary>Microsoft.NET.Test.Sdk makes a .NET project an executable test host, whatever OutputType says.</summary>
    private static bool ReferencesTestSdk(string? projectPath)
    {
        if (projectPath is null || !File.Exists(projectPath)) return false;
        try
        {
            return XDocument.Load(projectPath).Descendants().Any(e => e.Name.LocalName == "PackageReference"
                && string.Equals((string?)e.Attribute("Include"), "Microsoft.NET.Test.Sdk", StringComparison.OrdinalIgnoreCase));
        }
        catch (Exception) { return false; }
    }

    private static string? FromFile(string path, string property)
    {
        try
        {
            var value = XDocument.Load(path).Descendants().LastOrDefault(e => e.Name.LocalName == property)?.Value.Trim();
            return string.IsNullOrEmpty(value) || value.Contains('$') ? null : value;
        }
        catch (Exception)
        {
            return null;
        }
    }
}
