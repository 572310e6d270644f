using System.Text.Json;
using System.Text.Json.Serialization;

namespace AllocationLens.Protocol;

/// <summary>Outgoing JSON-RPC messages. Incoming ones are read as JsonElement and classified.</summary>
public sealed record ResponseMessage(
    [property: JsonPropertyName("id")] JsonElement Id,
    [property: JsonPropertyName("result"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Result)
{
    [JsonPropertyName("jsonrpc")] public string JsonRpc => "2.0";
}

public sealed class ErrorResponseMessage(JsonElement? id, ResponseError error)
{
    [JsonPropertyName("jsonrpc")] public string JsonRpc => "2.0";
    /// <summary>Null when the request's id could not be read (parse errors): written as "id": null.</summary>
    [JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public JsonElement? Id { get; } = id;
    [JsonPropertyName("error")] public ResponseError Error { get; } = error;
}

public sealed record ResponseError(int Code, string Message);

public sealed record NotificationMessage(string Method, object? Params)
{
    [JsonPropertyName("jsonrpc")] public string JsonRpc => "2.0";
}

public sealed record RequestMessage(JsonElement Id, string Method, object? Params)
{
    [JsonPropertyName("jsonrpc")] public string JsonRpc => "2.0";
}
