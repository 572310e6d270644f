using System.Text.Json;

namespace AllocationLens.Server;

// The LSP types this server reads and writes, as the specification (3.17) names them. Optional
// fields have defaults: the serializer treats every other constructor parameter as required.
public sealed record Position(int Line, int Character);
public sealed record Range(Position Start, Position End);
public sealed record TextDocumentIdentifier(string Uri);
public sealed record VersionedTextDocumentIdentifier(string Uri, int Version);
public sealed record TextDocumentItem(string Uri, string Text, int Version = 0, string LanguageId = "csharp");
public sealed record DidOpenTextDocumentParams(TextDocumentItem TextDocument);
public sealed record TextDocumentContentChangeEvent(string Text, Range? Range = null);
public sealed record DidChangeTextDocumentParams(VersionedTextDocumentIdentifier TextDocument, TextDocumentContentChangeEvent[] ContentChanges);
public sealed record DidCloseTextDocumentParams(TextDocumentIdentifier TextDocument);
public sealed record InlayHintParams(TextDocumentIdentifier TextDocument, Range Range);
public sealed record TextDocumentPositionParams(TextDocumentIdentifier TextDocument, Position Position);
public sealed record ExecuteCommandParams(string Command, JsonElement[]? Arguments = null, JsonElement? WorkDoneToken = null);
public sealed record CodeLensParams(TextDocumentIdentifier TextDocument);
public sealed record CodeActionContext(JsonElement[]? Diagnostics = null, string[]? Only = null);
public sealed record CodeActionParams(TextDocumentIdentifier TextDocument, Range Range, CodeActionContext? Context = null);
/// <summary>A file event: Type 1 created, 2 changed, 3 deleted.</summary>
public sealed record FileEvent(string Uri, int Type);
public sealed record DidChangeWatchedFilesParams(FileEvent[]? Changes = null);
public sealed record WorkspaceFolder(string Uri, string Name);
public sealed record InitializeParams(int? ProcessId = null, string? RootUri = null, string? RootPath = null, WorkspaceFolder[]? WorkspaceFolders = null, JsonElement? InitializationOptions = null);

public sealed record MarkupContent(string Kind, string Value);
public sealed record InlayHint(Position Position, string Label, MarkupContent? Tooltip, bool PaddingLeft, object? Data);
public sealed record Hover(MarkupContent Contents, Range Range);
public sealed record LogMessageParams(int Type, string Message);
