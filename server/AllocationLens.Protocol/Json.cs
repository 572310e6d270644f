using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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

    /// <summary>
    /// Puts compile-time JSON metadata (a source-generated context) first in <see cref="Options"/>' chain, before
    /// the reflection-based resolver that stays for every other type (anonymous results). Reflection builds a
    /// type's metadata, emitting and jitting its accessors, the first time the type crosses the wire: 0.1 s of
    /// the language server's answer to `initialize` on its own. Options can change only before their first use:
    /// once a message was written or read, this does nothing and says so.
    /// </summary>
    public static bool UseMetadataFirst(IJsonTypeInfoResolver generated)
    {
        lock (Options)
        {
            if (Options.IsReadOnly) return false;
            if (Options.TypeInfoResolverChain.Contains(generated)) return true;
            if (Options.TypeInfoResolverChain.Count == 0) Options.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
            Options.TypeInfoResolverChain.Insert(0, generated);
            return true;
        }
    }

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
