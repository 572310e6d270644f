using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AllocationLens.Workspace;

/// <summary>
/// Keeps design-time build results between `analyze` runs, so a project whose inputs did not change
/// is not evaluated and built again (CsvHelper: 0.8 s of MSBuild, bench/README). An entry is keyed by
/// everything the build saw besides files (the projects asked for, the global properties, the SDK, the
/// environment MSBuild reads as properties, this tool's build) and holds the stamps of the files and
/// folders it read (DesignTimeInputs). Any stamp that moved, any unreadable entry, is a miss: the
/// projects are loaded again and the entry replaced. A miss costs the load it would have cost anyway;
/// a stale hit would judge the wrong project, so every doubt is a miss.
/// </summary>
public sealed class DesignTimeCache(string directory)
{
    private const int FormatVersion = 1;

    /// <summary>Set and non-empty: no cache (ALLOCATION_LENS_NO_DESIGN_TIME_CACHE=1).</summary>
    public const string DisableVariable = "ALLOCATION_LENS_NO_DESIGN_TIME_CACHE";

    /// <summary>The user's cache (ALLOCATION_LENS_DESIGN_TIME_CACHE, else $XDG_CACHE_HOME or ~/.cache, or LocalAppData on Windows), or null when turned off.</summary>
    public static DesignTimeCache? Default()
    {
        if (Environment.GetEnvironmentVariable(DisableVariable) is { Length: > 0 }) return null;
        if (Environment.GetEnvironmentVariable("ALLOCATION_LENS_DESIGN_TIME_CACHE") is { Length: > 0 } chosen) return new DesignTimeCache(chosen);
        return UserCacheRoot() is { } root ? new DesignTimeCache(Path.Combine(root, "design-time")) : null;
    }

    /// <summary>Allocation Lens's folder in the user's cache ($XDG_CACHE_HOME or ~/.cache, or LocalAppData on Windows), or null when there is none.</summary>
    public static string? UserCacheRoot()
    {
        var root = OperatingSystem.IsWindows()
            ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return string.IsNullOrEmpty(root) ? null : Path.Combine(root, "allocation-lens");
    }

    public string Directory { get; } = directory;

    private int _hits, _misses;

    /// <summary>Loads answered from the cache, and loads that were not (tests and phase clocks read them).</summary>
    public int Hits => _hits;
    public int Misses => _misses;

    /// <summary>The cached results for these targets, or null (with why) when there are none or they are stale.</summary>
    public IReadOnlyList<DesignTimeProject>? TryRead(IReadOnlyList<string> targets, IReadOnlyDictionary<string, string> properties, out string why)
    {
        var found = Read(targets, properties, out why);
        Interlocked.Increment(ref found is null ? ref _misses : ref _hits);
        return found;
    }

    private IReadOnlyList<DesignTimeProject>? Read(IReadOnlyList<string> targets, IReadOnlyDictionary<string, string> properties, out string why)
    {
        var key = Key(targets, properties);
        var file = Path.Combine(Directory, key + ".json");
        Entry? entry;
        try
        {
            if (!File.Exists(file)) { why = "no entry"; return null; }
            using var stream = File.OpenRead(file);
            entry = JsonSerializer.Deserialize(stream, DesignTimeCacheJson.Default.Entry);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            why = $"unreadable entry ({ex.GetType().Name})";
            return null;
        }
        if (entry is null || entry.Version != FormatVersion || entry.Key != key) { why = "entry of another format"; return null; }
        foreach (var stamp in entry.Files)
            if (FileStamp.Of(stamp.Path) != stamp) { why = $"{stamp.Path} changed"; return null; }
        foreach (var stamp in entry.Directories)
            if (DirectoryStamp.Of(stamp.Path) != stamp) { why = $"{stamp.Path} changed"; return null; }
        why = "";
        return entry.Projects;
    }

    /// <summary>
    /// Keeps results for next time, unless an input was written while they were being made (its stamp
    /// would then be newer than what the build read; two seconds of margin for coarse file times).
    /// Never throws: a cache that cannot be written is a cache that misses.
    /// </summary>
    public void Write(IReadOnlyList<string> targets, IReadOnlyDictionary<string, string> properties, IReadOnlyList<DesignTimeProject> projects, DesignTimeInputs inputs, DateTime loadStartedUtc, Action<string>? log)
    {
        if (inputs.NotCacheable is { } reason) { log?.Invoke($"workspace design-time results not cached: {reason}"); return; }
        foreach (var target in targets) inputs.AddFile(target);
        var (files, directories) = inputs.Stamp();
        var threshold = loadStartedUtc.AddSeconds(-2).Ticks;
        if (files.Select(f => f.Ticks).Concat(directories.Select(d => d.Ticks)).Any(t => t >= threshold))
        {
            log?.Invoke("workspace design-time results not cached: an input changed during the load");
            return;
        }
        var key = Key(targets, properties);
        var entry = new Entry(FormatVersion, key, [.. files], [.. directories], [.. projects]);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var file = Path.Combine(Directory, key + ".json");
            var temporary = file + "." + Environment.ProcessId + ".tmp";
            using (var stream = File.Create(temporary)) JsonSerializer.Serialize(stream, entry, DesignTimeCacheJson.Default.Entry);
            File.Move(temporary, file, overwrite: true);
            Prune();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            log?.Invoke($"workspace design-time results not cached: {ex.Message}");
        }
    }

    /// <summary>Entries nobody wrote for 30 days (projects gone, environments changed) are deleted.</summary>
    private void Prune()
    {
        var before = DateTime.UtcNow.AddDays(-30);
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
            if (File.GetLastWriteTimeUtc(file) < before) try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Everything besides files that a design-time build depends on. MSBuild reads every environment
    /// variable as a property, so all of them count, except the shell's bookkeeping and our own knobs.
    /// </summary>
    private static string Key(IReadOnlyList<string> targets, IReadOnlyDictionary<string, string> properties)
    {
        var text = new StringBuilder();
        text.Append("format ").Append(FormatVersion).Append('\n');
        text.Append("tool ").Append(typeof(DesignTimeCache).Assembly.ManifestModule.ModuleVersionId).Append('\n');
        text.Append("sdk ").Append(MsBuildRegistration.RegisteredSdk).Append(" of ").AppendJoin(",", MsBuildRegistration.InstalledSdks).Append('\n');
        foreach (var target in targets.Select(Path.GetFullPath).Order(StringComparer.Ordinal)) text.Append("target ").Append(target).Append('\n');
        foreach (var (name, value) in properties.OrderBy(p => p.Key, StringComparer.Ordinal)) text.Append("property ").Append(name).Append('=').Append(value).Append('\n');
        foreach (var (name, value) in Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                     .Select(e => ((string)e.Key, e.Value as string ?? ""))
                     .Where(e => !IgnoredVariable(e.Item1))
                     .OrderBy(e => e.Item1, StringComparer.Ordinal))
            text.Append("env ").Append(name).Append('=').Append(value).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static bool IgnoredVariable(string name) =>
        name is "_" or "PWD" or "OLDPWD" or "SHLVL" or "COLUMNS" or "LINES" || name.StartsWith("ALLOCATION_LENS_", StringComparison.Ordinal);

    internal sealed record Entry(int Version, string Key, FileStamp[] Files, DirectoryStamp[] Directories, DesignTimeProject[] Projects);
}

[JsonSerializable(typeof(DesignTimeCache.Entry))]
internal sealed partial class DesignTimeCacheJson : JsonSerializerContext;
