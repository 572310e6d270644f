using System.Security.Cryptography;
using System.Text;

namespace AllocationLens.Verification;

/// <summary>What building for verification produced.</summary>
/// <param name="AssemblyPath">The Release assembly (its portable PDB beside it); null when the build failed.</param>
/// <param name="Errors">The compiler's and MSBuild's error lines, when it failed.</param>
/// <param name="Reused">True when the sources were unchanged since the last build and it was not run again.</param>
public sealed record BuildOutcome(string? AssemblyPath, IReadOnlyList<string> Errors, bool Reused)
{
    public bool Succeeded => AssemblyPath is not null;
}

/// <summary>
/// Builds a project in Release into a private folder under the verification cache (MSBuild's artifacts
/// layout), never the user's bin/ or obj/. Loose files get a generated project there. A build is
/// reused while a fingerprint of its inputs (paths, sizes and times of the sources and build files
/// under the project's folder and its referenced projects' folders) is unchanged.
/// </summary>
public static class ReleaseBuild
{
    public static string CacheRoot => Environment.GetEnvironmentVariable("ALLOCATION_LENS_VERIFY_CACHE") is { Length: > 0 } r
        ? r : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "allocation-lens", "verify");

    public static TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    public static Task<BuildOutcome> BuildProjectAsync(string projectPath, string? targetFramework, Action<string>? progress, CancellationToken cancellationToken)
    {
        projectPath = Path.GetFullPath(projectPath);
        var output = Path.Combine(CacheRoot, "builds", Hash(projectPath + "|" + targetFramework));
        return BuildAsync(projectPath, targetFramework, output, progress, cancellationToken);
    }

    /// <summary>Files outside every project: compiled as one library, as the ad-hoc analysis sees them.</summary>
    public static Task<BuildOutcome> BuildLooseFilesAsync(IReadOnlyList<string> files, string targetFramework, Action<string>? progress, CancellationToken cancellationToken)
    {
        var sorted = files.Select(Path.GetFullPath).OrderBy(f => f, StringComparer.Ordinal).ToList();
        var folder = Path.Combine(CacheRoot, "loose", Hash(string.Join("|", sorted) + "|" + targetFramework));
        Directory.CreateDirectory(folder);
        var project = Path.Combine(folder, "verify.csproj");
        var text = new StringBuilder()
            .AppendLine("<Project Sdk=\"Microsoft.NET.Sdk\">")
            .AppendLine("  <PropertyGroup>")
            .AppendLine($"    <TargetFramework>{targetFramework}</TargetFramework>")
            .AppendLine("    <OutputType>Library</OutputType><EnableDefaultCompileItems>false</EnableDefaultCompileItems>")
            .AppendLine("    <LangVersion>preview</LangVersion><Nullable>enable</Nullable><AllowUnsafeBlocks>true</AllowUnsafeBlocks>")
            .AppendLine("    <ImplicitUsings>disable</ImplicitUsings><NoWarn>$(NoWarn);CS8632;CS0168;CS0219;CS8321</NoWarn>")
            .AppendLine("  </PropertyGroup>")
            .AppendLine("  <ItemGroup>");
        foreach (var f in sorted) text.AppendLine($"    <Compile Include=\"{System.Security.SecurityElement.Escape(f)}\" />");
        text.AppendLine("  </ItemGroup>").AppendLine("</Project>");
        if (!File.Exists(project) || File.ReadAllText(project) != text.ToString()) File.WriteAllText(project, text.ToString());
        return BuildAsync(project, null, Path.Combine(folder, "artifacts"), progress, cancellationToken, sorted);
    }

    private static async Task<BuildOutcome> BuildAsync(string project, string? targetFramework, string output, Action<string>? progress,
        CancellationToken cancellationToken, IReadOnlyList<string>? looseFiles = null)
    {
        Directory.CreateDirectory(output);
        var stampPath = Path.Combine(output, "verify-stamp.txt");
        var fingerprint = Fingerprint(project, looseFiles);
        if (File.Exists(stampPath) && File.ReadAllLines(stampPath) is [var stamp, var previous] && stamp == fingerprint && File.Exists(previous))
            return new BuildOutcome(previous, [], Reused: true);

        progress?.Invoke($"Building {Path.GetFileName(project)} in Release");
        var args = new List<string>
        {
            "build", project, "-c", "Release", "-t:Build", "-getProperty:TargetPath", "--artifacts-path", output,
            // A portable PDB maps IL back to source; analyzers and warnings-as-errors only slow or stop the build,
            // and a reference assembly does not change the IL the JIT compiles. XML documentation stays as the
            // project sets it: without it the compiler no longer parses `///` comments as documentation, and a
            // source generator that copies them (RestSharp's) then emits members inside comments, so the build fails.
            "-p:DebugType=portable", "-p:DebugSymbols=true", "-p:TreatWarningsAsErrors=false", "-p:RunAnalyzers=false",
            "-p:ProduceReferenceAssembly=false",
            "-nologo", "-v:q",
        };
        if (targetFramework is not null) { args.Add("-f"); args.Add(targetFramework); }
        var env = new Dictionary<string, string?> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1", ["MSBUILDNOINPROCNODE"] = null };
        var result = await ChildProcess.RunAsync("dotnet", args, env, Timeout, cancellationToken, workingDirectory: Path.GetDirectoryName(project)).ConfigureAwait(false);
        var lines = (result.StandardOutput + "\n" + result.StandardError).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (result.TimedOut) return new BuildOutcome(null, [$"the Release build did not finish within {Timeout.TotalMinutes:0} minutes"], false);
        var targetPath = lines.LastOrDefault(l => l.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && Path.IsPathRooted(l));
        if (result.ExitCode != 0 || targetPath is null || !File.Exists(targetPath))
        {
            var errors = lines.Where(l => l.Contains(": error ", StringComparison.Ordinal)).Distinct().Take(20).ToList();
            if (errors.Count == 0) errors = lines.TakeLast(10).ToList();
            if (errors.Count == 0) errors.Add($"dotnet build exited with code {result.ExitCode}");
            return new BuildOutcome(null, errors, false);
        }
        File.WriteAllLines(stampPath, [fingerprint, targetPath]);
        return new BuildOutcome(targetPath, [], false);
    }

    /// <summary>Sizes and write times of every input file that can change the build.</summary>
    internal static string Fingerprint(string project, IReadOnlyList<string>? looseFiles)
    {
        var builder = new StringBuilder();
        IEnumerable<string> files;
        if (looseFiles is not null) files = looseFiles.Append(project);
        else
        {
            var folders = new HashSet<string>(StringComparer.Ordinal) { Path.GetDirectoryName(project)! };
            foreach (var reference in ProjectReferences(project))
            {
                // A reference spelled with MSBuild properties ($(RepoRoot)/...) or pointing nowhere cannot be
                // fingerprinted from here: never reuse such a build (MSBuild's own incrementality still applies).
                if (reference.Contains("$(", StringComparison.Ordinal) || !Directory.Exists(Path.GetDirectoryName(reference)))
                    builder.Append("unresolved reference ").Append(reference).Append(' ').Append(Guid.NewGuid()).Append('\n');
                else folders.Add(Path.GetDirectoryName(reference)!);
            }
            files = folders.SelectMany(InputsUnder).Concat(BuildFilesAbove(Path.GetDirectoryName(project)!));
        }
        foreach (var file in files.Distinct().OrderBy(f => f, StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            builder.Append(file).Append('|').Append(info.Exists ? info.Length : -1).Append('|').Append(info.Exists ? info.LastWriteTimeUtc.Ticks : 0).Append('\n');
        }
        return Hash(builder.ToString());
    }

    private static IEnumerable<string> InputsUnder(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
        foreach (var file in Directory.EnumerateFiles(folder, "*", options))
        {
            var relative = Path.GetRelativePath(folder, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "node_modules" || part.StartsWith('.'))) continue;
            var extension = Path.GetExtension(file);
            if (extension is ".cs" or ".csproj" or ".props" or ".targets" or ".resx" or ".editorconfig" or ".json") yield return file;
        }
    }

    private static IEnumerable<string> BuildFilesAbove(string folder)
    {
        for (var dir = Directory.GetParent(folder); dir is not null; dir = dir.Parent)
            foreach (var name in (string[])["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "NuGet.config"])
            {
                var path = Path.Combine(dir.FullName, name);
                if (File.Exists(path)) yield return path;
            }
    }

    private static IEnumerable<string> ProjectReferences(string project)
    {
        string text;
        try { text = File.ReadAllText(project); } catch (IOException) { yield break; }
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(text, "<ProjectReference\\s+Include=\"([^\"]+)\""))
            yield return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, m.Groups[1].Value.Replace('\\', Path.DirectorySeparatorChar)));
    }

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();
}
