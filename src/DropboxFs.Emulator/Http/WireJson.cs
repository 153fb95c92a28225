using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DropboxFs.Emulator.Http;

/// <summary>Stone JSON output: bodies as UTF-8, headers ASCII-only (§1.4), timestamps without fractions.</summary>
internal static class WireJson
{
    private static readonly JsonSerializerOptions s_body = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // The default encoder escapes every non-ASCII character as \uXXXX (astral as surrogate pairs)
    // and DEL, which is what Dropbox-API-Result needs for Node's byte-string headers.
    private static readonly JsonSerializerOptions s_header = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>
    /// UTF-8 body in the real server's layout (Python json.dumps: ", " and ": " separators, §1.5).
    /// Clients do not depend on it; matching it costs one small writer.
    /// </summary>
    public static byte[] Body(JsonNode? node) => Encoding.UTF8.GetBytes(Format(node, s_body));

    /// <summary>ASCII-only JSON for the Dropbox-API-Result header.</summary>
    public static string Header(JsonNode node) => Format(node, s_header);

    private static string Format(JsonNode? node, JsonSerializerOptions options)
    {
        var sb = new StringBuilder();
        Append(sb, node, options);
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, JsonNode? node, JsonSerializerOptions options)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject o:
                sb.Append('{');
                var first = true;
                foreach (var (key, value) in o)
                {
                    sb.Append(first ? "" : ", ").Append(JsonSerializer.Serialize(key, options)).Append(": ");
                    Append(sb, value, options);
                    first = false;
                }

                sb.Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    sb.Append(i == 0 ? "" : ", ");
                    Append(sb, a[i], options);
                }

                sb.Append(']');
                break;
            default:
                sb.Append(node.ToJsonString(options));
                break;
        }
    }

    public static string Timestamp(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses "%Y-%m-%dT%H:%M:%SZ" exactly; fractions and offsets are rejected like stone does.</summary>
    public static bool TryParseTimestamp(string s, out long unixSeconds)
    {
        if (DateTime.TryParseExact(s, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
        {
            unixSeconds = new DateTimeOffset(dt, TimeSpan.Zero).ToUnixTimeSeconds();
            return true;
        }

        unixSeconds = 0;
        return false;
    }
}
