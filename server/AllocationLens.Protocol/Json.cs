using System.Text.Json;
using System.Text.Json.Serialization;

namespace AllocationLens.Protocol;

/// <summary>The serializer settings of the wire: camelCase, nulls omitted.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        MaxDepth = 256,
        // A missing or null required field is an invalid-params error, not a null deep in a handler.
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Typed params at the edge: a failure to bind becomes -32602 Invalid params.</summary>
    public static T Params<T>(JsonElement? element)
    {
        if (element is not { } e || e.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
            throw new JsonRpcException(ErrorCodes.InvalidParams, $"missing params ({typeof(T).Name} expected)");
        try
        {
            return e.Deserialize<T>(Options) ?? throw new JsonRpcException(ErrorCodes.InvalidParams, "params are null");
        }
        catch (JsonException ex)
        {
            throw new JsonRpcException(ErrorCodes.InvalidParams, $"invalid params: {ex.Message}");
        }
    }
}
