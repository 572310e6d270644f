using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AllocationLens.Protocol;
using AllocationLens.Server;
using Xunit;

namespace AllocationLens.Server.Tests;

/// <summary>
/// The compiled-in LSP metadata reads and writes the wire exactly as reflection did: same names, same
/// omitted nulls, same defaults, same refusals. (Tests share one process, so the wire's own options may be
/// in use before a server puts the metadata first; these tests compare the two resolvers side by side.)
/// </summary>
public sealed class LspJsonContextTests
{
    private static readonly JsonSerializerOptions Reflection = new(Json.Options) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
    private static readonly JsonSerializerOptions Generated = new(Json.Options) { TypeInfoResolver = JsonTypeInfoResolver.Combine(LspJsonContext.Default, new DefaultJsonTypeInfoResolver()) };

    public static TheoryData<Type, string> Messages => new()
    {
        { typeof(InitializeParams), """{"processId":42,"rootUri":"file:///w","workspaceFolders":[{"uri":"file:///w","name":"w"}],"initializationOptions":{"trusted":true},"capabilities":{}}""" },
        { typeof(InitializeParams), """{"processId":null}""" },
        { typeof(DidOpenTextDocumentParams), """{"textDocument":{"uri":"file:///a.cs","languageId":"csharp","version":3,"text":"class A { }"}}""" },
        { typeof(DidOpenTextDocumentParams), """{"textDocument":{"uri":"file:///a.cs","text":"class A { }"}}""" },
        { typeof(DidChangeTextDocumentParams), """{"textDocument":{"uri":"file:///a.cs","version":4},"contentChanges":[{"range":{"start":{"line":0,"character":1},"end":{"line":0,"character":2}},"text":"x"},{"text":"all"}]}""" },
        { typeof(InlayHintParams), """{"textDocument":{"uri":"file:///a.cs"},"range":{"start":{"line":0,"character":0},"end":{"line":200,"character":0}}}""" },
        { typeof(ExecuteCommandParams), """{"command":"allocationLens.verifyWithJit","arguments":["file:///a.cs",{"line":1}],"workDoneToken":"t"}""" },
        { typeof(CodeActionParams), """{"textDocument":{"uri":"file:///a.cs"},"range":{"start":{"line":1,"character":0},"end":{"line":1,"character":4}},"context":{"diagnostics":[],"only":["quickfix"]}}""" },
        { typeof(DidChangeWatchedFilesParams), """{"changes":[{"uri":"file:///a.cs","type":2}]}""" },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Params_read_and_write_as_with_reflection(Type type, string json)
    {
        var byReflection = JsonSerializer.Deserialize(json, type, Reflection);
        var generated = JsonSerializer.Deserialize(json, type, Generated);
        Assert.Equal(JsonSerializer.Serialize(byReflection, type, Reflection), JsonSerializer.Serialize(generated, type, Generated));
        Assert.Equal(JsonSerializer.Serialize(byReflection, type, Reflection), JsonSerializer.Serialize(byReflection, type, Generated));
    }

    [Theory]
    [InlineData(typeof(InlayHintParams), """{"textDocument":{"uri":"file:///a.cs"}}""")]            // a required field missing
    [InlineData(typeof(InlayHintParams), """{"textDocument":null,"range":null}""")]                // required fields null
    [InlineData(typeof(DidOpenTextDocumentParams), """{"textDocument":{"uri":"file:///a.cs"}}""")] // the text missing
    public void Invalid_params_are_refused_as_with_reflection(Type type, string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, type, Reflection));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, type, Generated));
    }

    [Fact]
    public void Hints_are_written_as_with_reflection_nulls_omitted_and_data_by_its_runtime_type()
    {
        InlayHint[] hints =
        [
            new(new Position(3, 14), "heap", new MarkupContent("markdown", "**heap**"), true, new { kind = "heap", id = 7 }),
            new(new Position(4, 2), "stack", null, false, null),
        ];
        var generated = JsonSerializer.Serialize(hints, Generated);
        Assert.Equal(JsonSerializer.Serialize(hints, Reflection), generated);
        Assert.Contains("\"paddingLeft\":true", generated);
        Assert.Contains("\"data\":{\"kind\":\"heap\",\"id\":7}", generated);
        Assert.DoesNotContain("\"tooltip\":null", generated);
    }

    [Fact]
    public void The_metadata_is_found_for_every_type_it_names()
    {
        foreach (var type in new[] { typeof(InitializeParams), typeof(DidOpenTextDocumentParams), typeof(InlayHintParams), typeof(InlayHint[]), typeof(Hover) })
            Assert.NotNull(LspJsonContext.Default.GetTypeInfo(type));
    }
}
