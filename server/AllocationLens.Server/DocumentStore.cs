using System.Collections.Concurrent;
using Microsoft.CodeAnalysis.Text;

namespace AllocationLens.Server;

/// <summary>An open document: its current text and the client's version number.</summary>
public sealed record OpenDocument(string Uri, string Path, SourceText Text, int Version);

/// <summary>
/// The documents the client has open, with their exact current text. Changes are applied on the
/// protocol loop in order (incremental sync, UTF-16 positions as LSP and .NET strings both count);
/// readers take immutable snapshots. An edit whose range lies outside the document is clamped to it
/// and reported, so the text stays as close as possible to the client's.
/// </summary>
public sealed class DocumentStore
{
    private readonly ConcurrentDictionary<string, OpenDocument> _documents = new(StringComparer.Ordinal);

    public OpenDocument Open(string uri, string text, int version)
    {
        var doc = new OpenDocument(uri, UriPaths.ToPath(uri), SourceText.From(text), version);
        _documents[uri] = doc;
        return doc;
    }

    public bool Close(string uri) => _documents.TryRemove(uri, out _);

    public OpenDocument? Get(string uri) => _documents.TryGetValue(uri, out var doc) ? doc : null;

    public IReadOnlyCollection<OpenDocument> All => (IReadOnlyCollection<OpenDocument>)_documents.Values;

    /// <summary>Applies changes in order. Returns the new snapshot and any warnings (clamped ranges).</summary>
    public (OpenDocument? Document, IReadOnlyList<string> Warnings) Change(string uri, int version, IReadOnlyList<TextDocumentContentChangeEvent> changes)
    {
        var warnings = new List<string>();
        if (!_documents.TryGetValue(uri, out var doc))
        {
            warnings.Add($"didChange for a document that is not open: {uri}");
            return (null, warnings);
        }
        var text = doc.Text;
        foreach (var change in changes)
        {
            if (change.Range is null)
            {
                text = SourceText.From(change.Text ?? "");
                continue;
            }
            var span = ToSpan(text, change.Range, out bool clamped);
            if (clamped) warnings.Add($"edit range {Describe(change.Range)} is outside {uri} ({text.Lines.Count} lines); clamped");
            text = text.WithChanges(new TextChange(span, change.Text ?? ""));
        }
        var updated = doc with { Text = text, Version = version };
        _documents[uri] = updated;
        return (updated, warnings);
    }

    public static int ToOffset(SourceText text, Position position, out bool clamped)
    {
        clamped = false;
        var lines = text.Lines;
        int line = position.Line;
        if (line < 0) { clamped = true; return 0; }
        if (line >= lines.Count) { clamped = true; return text.Length; }
        var lineInfo = lines[line];
        int character = position.Character;
        if (character < 0) { clamped = true; character = 0; }
        // LSP: a character past the end of the line means the end of the line; that is not an error.
        if (character > lineInfo.End - lineInfo.Start) character = lineInfo.End - lineInfo.Start;
        return lineInfo.Start + character;
    }

    public static TextSpan ToSpan(SourceText text, Range range, out bool clamped)
    {
        int start = ToOffset(text, range.Start, out bool c1);
        int end = ToOffset(text, range.End, out bool c2);
        clamped = c1 || c2;
        if (end < start) (start, end) = (end, start);
        return TextSpan.FromBounds(start, end);
    }

    private static string Describe(Range r) => $"{r.Start.Line}:{r.Start.Character}-{r.End.Line}:{r.End.Character}";
}
