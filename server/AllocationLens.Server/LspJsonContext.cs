using System.Text.Json;
using System.Text.Json.Serialization;

namespace AllocationLens.Server;

/// <summary>
/// Compile-time JSON metadata for the LSP types the first hints cross the wire with (and the other params
/// read at the edge), put first in the wire's options by the server (Json.UseMetadataFirst): reflection
/// built each of them on first use, 0.1 s for `initialize`'s params alone on a cold start. The wire's own
/// settings (camelCase, nulls omitted, required constructor parameters) still apply: the options are the
/// wire's, only where the metadata comes from changes.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata)]
[JsonSerializable(typeof(InitializeParams))]
[JsonSerializable(typeof(DidOpenTextDocumentParams))]
[JsonSerializable(typeof(DidChangeTextDocumentParams))]
[JsonSerializable(typeof(DidCloseTextDocumentParams))]
[JsonSerializable(typeof(InlayHintParams))]
[JsonSerializable(typeof(TextDocumentPositionParams))]
[JsonSerializable(typeof(ExecuteCommandParams))]
[JsonSerializable(typeof(CodeLensParams))]
[JsonSerializable(typeof(CodeActionParams))]
[JsonSerializable(typeof(DidChangeWatchedFilesParams))]
[JsonSerializable(typeof(Position))]
[JsonSerializable(typeof(InlayHint[]))]
[JsonSerializable(typeof(Hover))]
[JsonSerializable(typeof(LogMessageParams))]
internal sealed partial class LspJsonContext : JsonSerializerContext;
