using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace DropboxFs.Api;

/// <summary>Source-generated System.Text.Json metadata for the Stone wire shapes: snake_case names, unset
/// optionals omitted, <c>.tag</c> discriminators accepted anywhere in the object.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    AllowOutOfOrderMetadataProperties = true,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(Metadata))]
[JsonSerializable(typeof(FileMetadata))]
[JsonSerializable(typeof(FolderMetadata))]
[JsonSerializable(typeof(DeletedMetadata))]
[JsonSerializable(typeof(ListFolderResult))]
[JsonSerializable(typeof(LongpollResult))]
[JsonSerializable(typeof(ListRevisionsResult))]
[JsonSerializable(typeof(TemporaryLink))]
[JsonSerializable(typeof(FullAccount))]
[JsonSerializable(typeof(SpaceUsage))]
[JsonSerializable(typeof(SharedLinkMetadata))]
[JsonSerializable(typeof(ListSharedLinksResult))]
[JsonSerializable(typeof(StoredToken))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;

/// <summary>Wire helpers: Stone timestamps and header-safe argument JSON.</summary>
internal static class ApiJson
{
    /// <summary>Stone Timestamp: <c>yyyy-MM-ddTHH:mm:ssZ</c>, UTC, whole seconds.</summary>
    public static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>JSON for the Dropbox-API-Arg header: every character ≥ 0x7F escaped as \uXXXX (UTF-16 units,
    /// so astral characters become surrogate pairs). HttpClient rejects non-ASCII header values.</summary>
    public static string ToHeaderValue(JsonNode? arg)
    {
        // The default encoder already escapes non-ASCII; the pass below guarantees it for DEL and any
        // encoder change, since one stray byte fails the whole request.
        var json = arg?.ToJsonString() ?? "null";
        StringBuilder? sb = null;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (c >= 0x7F)
            {
                sb ??= new StringBuilder(json, 0, i, json.Length + 16);
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb?.Append(c);
            }
        }
        return sb?.ToString() ?? json;
    }

    public static T Deserialize<T>(JsonNode? node, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        (node ?? throw new JsonException("Empty result")).Deserialize(info) ?? throw new JsonException("Null result");

    public static T Deserialize<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> info) =>
        JsonSerializer.Deserialize(json, info) ?? throw new JsonException("Null result");

    /// <summary>Adds <paramref name="name"/> only when the value is set (Stone omits unset optionals).</summary>
    public static JsonObject AddIf(this JsonObject obj, string name, JsonNode? value, bool when = true)
    {
        if (when && value is not null)
        {
            obj[name] = value;
        }
        return obj;
    }

    public static JsonObject Tag(string tag) => new() { [".tag"] = tag };
}
