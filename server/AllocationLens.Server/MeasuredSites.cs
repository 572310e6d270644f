using System.Text.Json;
using System.Text.Json.Serialization;
using AllocationLens.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>Estimated totals of the run at one place, as `measure` reports them, and which tests allocated most there.</summary>
public sealed record MeasuredFigures(long Bytes, long Objects, int Samples, int? Tests = null, IReadOnlyList<TestShare>? TopTests = null);

/// <summary>One test's estimated share of a site's bytes.</summary>
public sealed record TestShare(string Test, long Bytes);

/// <summary>
/// One site of the measured run: where it sits in its member, its rule, whether its code ran
/// (`ran`, `ran-often`, `never-ran`, `not-measured`, as `measure` words it), what it allocated, and
/// where the run contradicts its verdict (`measure`'s own sentence: the rule lives in one place).
/// </summary>
public sealed record MeasuredEntry(int Offset, string Category, string Coverage, MeasuredFigures? Measured, string? Disagreement = null);

/// <summary>An allocation the run made in the user's code where the engine reports no site.</summary>
public sealed record UnexplainedEntry(string Path, int Offset, int Line, string Type, string Method, MeasuredFigures Measured);

/// <summary>What ran, when, and where its allocations went (the hover's and the view's "measured by" line).</summary>
public sealed record MeasuredRunInfo(string Command, DateTimeOffset When, int Processes, IReadOnlyList<string> Sources,
    long SiteBytes, int MeasuredSites, long UnexplainedBytes, long OutsideBytes);

/// <summary>
/// The measurements of the workspace's last `measure` run, pinned to member fingerprints
/// (<see cref="MemberFingerprints"/>): a site keeps its measurement exactly as long as the text of its
/// member is the text that ran. An edited member (in the editor or on disk) drops its measurements;
/// members elsewhere in the file keep theirs wherever they move. The store is saved per workspace, so a
/// restart finds what was measured, and it holds only for code that did not change since.
/// </summary>
internal sealed class MeasuredSites
{
    private const int FormatVersion = 1;

    private sealed class Member
    {
        public List<MeasuredEntry> Sites { get; init; } = [];
        public List<UnexplainedEntry> Unexplained { get; init; } = [];
    }

    private readonly object _gate = new();

    /// <summary>Per file (full path): members by fingerprint hash.</summary>
    private Dictionary<string, Dictionary<ulong, Member>> _byPath = new(StringComparer.Ordinal);

    public MeasuredRunInfo? Run { get; private set; }

    public bool HasAny { get { lock (_gate) return _byPath.Count > 0; } }

    /// <summary>A site's measurement, when its member's text is the text that ran; null otherwise (or never measured).</summary>
    public MeasuredEntry? Lookup(string path, SyntaxNode root, SourceText text, AllocationSite site)
    {
        if (MemberOf(path, root, text, site.Where.Span.Start, out var fingerprint) is not { } member) return null;
        int offset = fingerprint.OffsetOf(site.Where.Span.Start);
        foreach (var entry in member.Sites)
            if (entry.Offset == offset && entry.Category == site.Category) return entry;
        return null;
    }

    /// <summary>The estimated bytes the member at a position allocated in the run (its sites and its unexplained allocations), or null when nothing of it was measured.</summary>
    public (long Bytes, int Samples)? MemberTotal(string path, SyntaxNode root, SourceText text, int position)
    {
        if (MemberOf(path, root, text, position, out _) is not { } member) return null;
        long bytes = 0; int samples = 0;
        foreach (var s in member.Sites) if (s.Measured is { } m) { bytes += m.Bytes; samples += m.Samples; }
        foreach (var u in member.Unexplained) { bytes += u.Measured.Bytes; samples += u.Measured.Samples; }
        return samples == 0 ? null : (bytes, samples);
    }

    /// <summary>Files with unexplained allocations (the view reads their current text to keep only those still valid).</summary>
    public IReadOnlyList<string> PathsWithUnexplained()
    {
        lock (_gate) return _byPath.Where(f => f.Value.Values.Any(m => m.Unexplained.Count > 0)).Select(f => f.Key).ToList();
    }

    /// <summary>The unexplained allocations of one file whose members still have the text that ran, at their current lines.</summary>
    public IReadOnlyList<(UnexplainedEntry Entry, int Position)> UnexplainedIn(string path, SyntaxNode root, SourceText text)
    {
        Dictionary<ulong, Member>? members;
        lock (_gate) members = _byPath.GetValueOrDefault(path);
        if (members is null || !members.Values.Any(m => m.Unexplained.Count > 0)) return [];
        var valid = new List<(UnexplainedEntry, int)>();
        foreach (var node in MemberFingerprints.Members(root))
        {
            if (MemberFingerprints.At(root, text, node.SpanStart) is not { } fingerprint || !members.TryGetValue(fingerprint.Hash, out var member)) continue;
            foreach (var u in member.Unexplained)
            {
                int position = fingerprint.Start + u.Offset;
                if (position <= text.Length) valid.Add((u with { Line = text.Lines.GetLineFromPosition(position).LineNumber }, position));
            }
        }
        return valid;
    }

    private Member? MemberOf(string path, SyntaxNode root, SourceText text, int position, out MemberFingerprint fingerprint)
    {
        fingerprint = default;
        Dictionary<ulong, Member>? members;
        lock (_gate) { if (_byPath.Count == 0 || !_byPath.TryGetValue(path, out members)) return null; }
        if (MemberFingerprints.At(root, text, position) is not { } found) return null;
        fingerprint = found;
        return members.GetValueOrDefault(found.Hash);
    }

    /// <summary>
    /// Replaces the store with a `measure --format json` document. Paths in it are relative to
    /// <paramref name="folder"/> (where `measure` ran). Each file is read as it is on disk now: a file
    /// written after <paramref name="started"/> may no longer be the code that ran, so its
    /// measurements are left out and named in the returned notes.
    /// </summary>
    public IReadOnlyList<string> Record(JsonElement document, string folder, DateTimeOffset started, Func<string, string?> readFile)
    {
        var notes = new List<string>();
        var byPath = new Dictionary<string, Dictionary<ulong, Member>>(StringComparer.Ordinal);
        var parsed = new Dictionary<string, (SyntaxNode Root, SourceText Text)?>(StringComparer.Ordinal);
        (SyntaxNode Root, SourceText Text)? Parse(string path)
        {
            if (parsed.TryGetValue(path, out var known)) return known;
            (SyntaxNode, SourceText)? result = null;
            try
            {
                if (File.GetLastWriteTimeUtc(path) > started.UtcDateTime) notes.Add($"{Path.GetFileName(path)} changed during the run: its measurements are left out");
                else if (readFile(path) is { } content)
                {
                    var text = SourceText.From(content);
                    result = (CSharpSyntaxTree.ParseText(text, path: path).GetRoot(), text);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { notes.Add($"{Path.GetFileName(path)} could not be read ({e.Message})"); }
            parsed[path] = result;
            return result;
        }
        Member? MemberAt(string path, int line, int column, out int offset)
        {
            offset = 0;
            if (Parse(path) is not { } file || line < 1 || line > file.Text.Lines.Count) return null;
            var lineStart = file.Text.Lines[line - 1].Start;
            int position = Math.Min(lineStart + Math.Max(0, column - 1), file.Text.Lines[line - 1].End);
            if (MemberFingerprints.At(file.Root, file.Text, position) is not { } fingerprint) return null;
            offset = fingerprint.OffsetOf(position);
            if (!byPath.TryGetValue(path, out var members)) byPath[path] = members = [];
            if (!members.TryGetValue(fingerprint.Hash, out var member)) members[fingerprint.Hash] = member = new Member();
            return member;
        }

        if (document.TryGetProperty("sites", out var sites) && sites.ValueKind == JsonValueKind.Array)
            foreach (var site in sites.EnumerateArray())
            {
                if (PathOf(site, folder) is not { } path || !site.TryGetProperty("line", out var line) || !site.TryGetProperty("column", out var column)) continue;
                var coverage = site.TryGetProperty("coverage", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()! : "not-measured";
                var measured = FiguresOf(site);
                var disagreement = site.TryGetProperty("disagreement", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                if (measured is null && coverage == "not-measured" && disagreement is null) continue;
                if (MemberAt(path, line.GetInt32(), column.GetInt32(), out int offset) is not { } member) continue;
                var category = site.TryGetProperty("category", out var cat) ? cat.GetString() ?? "" : "";
                member.Sites.Add(new MeasuredEntry(offset, category, coverage, measured, disagreement));
            }
        if (document.TryGetProperty("unexplained", out var unexplained) && unexplained.ValueKind == JsonValueKind.Array)
            foreach (var u in unexplained.EnumerateArray())
            {
                if (PathOf(u, folder) is not { } path || FiguresOf(u) is not { } measured
                    || !u.TryGetProperty("line", out var line) || line.ValueKind != JsonValueKind.Number) continue;
                int column = u.TryGetProperty("column", out var col) && col.ValueKind == JsonValueKind.Number ? col.GetInt32() : 1;
                if (MemberAt(path, line.GetInt32(), column, out int offset) is not { } member) continue;
                member.Unexplained.Add(new UnexplainedEntry(path, offset, line.GetInt32() - 1,
                    u.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "", u.TryGetProperty("method", out var m) ? m.GetString() ?? "" : "", measured));
            }

        var run = RunOf(document, byPath);
        lock (_gate) { _byPath = byPath; Run = run; }
        return notes;
    }

    private static MeasuredRunInfo RunOf(JsonElement document, Dictionary<string, Dictionary<ulong, Member>> byPath)
    {
        var measurement = document.TryGetProperty("measurement", out var m) ? m : default;
        string command = measurement.ValueKind == JsonValueKind.Object && measurement.TryGetProperty("command", out var c) ? c.GetString() ?? "" : "";
        int processes = measurement.ValueKind == JsonValueKind.Object && measurement.TryGetProperty("processes", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 0;
        var sources = measurement.ValueKind == JsonValueKind.Object && measurement.TryGetProperty("sources", out var s) && s.ValueKind == JsonValueKind.Array
            ? s.EnumerateArray().Select(e => e.GetString() ?? "").ToList() : [];
        long outside = measurement.ValueKind == JsonValueKind.Object && measurement.TryGetProperty("outside", out var o) && FiguresOf(o, direct: true) is { } of ? of.Bytes : 0;
        var members = byPath.Values.SelectMany(f => f.Values).ToList();
        var measuredSites = members.SelectMany(x => x.Sites).Where(x => x.Measured is not null).ToList();
        return new MeasuredRunInfo(command, DateTimeOffset.UtcNow, processes, sources, measuredSites.Sum(x => x.Measured!.Bytes), measuredSites.Count,
            members.SelectMany(x => x.Unexplained).Sum(x => x.Measured.Bytes), outside);
    }

    private static string? PathOf(JsonElement element, string folder) =>
        element.TryGetProperty("path", out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } path
            ? Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(folder, path)) : null;

    /// <summary>The `measured` object of a site (or, with <paramref name="direct"/>, the element itself).</summary>
    private static MeasuredFigures? FiguresOf(JsonElement element, bool direct = false)
    {
        var m = element;
        if (!direct && (!element.TryGetProperty("measured", out m) || m.ValueKind != JsonValueKind.Object)) return null;
        if (!m.TryGetProperty("bytes", out var bytes) || !m.TryGetProperty("samples", out var samples)) return null;
        long objects = m.TryGetProperty("objects", out var o) && o.ValueKind == JsonValueKind.Number ? o.GetInt64() : 0;
        int? tests = m.TryGetProperty("tests", out var t) && t.ValueKind == JsonValueKind.Number ? t.GetInt32() : null;
        var top = m.TryGetProperty("topTests", out var tt) && tt.ValueKind == JsonValueKind.Array
            ? tt.EnumerateArray().Where(x => x.TryGetProperty("test", out _)).Select(x => new TestShare(x.GetProperty("test").GetString() ?? "", x.TryGetProperty("bytes", out var b) ? b.GetInt64() : 0)).ToList()
            : null;
        return new MeasuredFigures(bytes.GetInt64(), objects, samples.GetInt32(), tests, top);
    }

    public void Clear() { lock (_gate) { _byPath = new(StringComparer.Ordinal); Run = null; } }

    // Persistence: one file per workspace folder, so a restart finds the last run. Entries hold only for
    // members whose text is unchanged, so a stale file can never pin a measurement on other code.

    private sealed record StoredMember(ulong Hash, List<MeasuredEntry> Sites, List<UnexplainedEntry> Unexplained);
    private sealed record StoredFile(string Path, List<StoredMember> Members);
    private sealed record Stored(int Version, MeasuredRunInfo? Run, List<StoredFile> Files);

    private static readonly JsonSerializerOptions s_json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public void Save(string file)
    {
        Stored stored;
        lock (_gate)
            stored = new Stored(FormatVersion, Run, _byPath.Select(f => new StoredFile(f.Key, f.Value.Select(m => new StoredMember(m.Key, m.Value.Sites, m.Value.Unexplained)).ToList())).ToList());
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var temporary = file + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(stored, s_json));
        File.Move(temporary, file, overwrite: true);
    }

    /// <summary>Loads a saved store; a missing, unreadable or older-format file leaves the store empty (and says why, unless missing).</summary>
    public string? Load(string file)
    {
        if (!File.Exists(file)) return null;
        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(file), s_json);
            if (stored is null || stored.Version != FormatVersion) return "the saved measurements are of another format; measure again";
            var byPath = stored.Files.ToDictionary(f => f.Path, f => f.Members.ToDictionary(m => m.Hash, m => new Member { Sites = m.Sites, Unexplained = m.Unexplained }), StringComparer.Ordinal);
            lock (_gate) { _byPath = byPath; Run = stored.Run; }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or ArgumentException)
        {
            return $"the saved measurements could not be read ({e.Message}); measure again";
        }
    }
}
