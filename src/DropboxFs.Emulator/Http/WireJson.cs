using System.Globalization;
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

    public static byte[] Body(JsonNode? node) =>
        node == null ? "null"u8.ToArray() : JsonSerializer.SerializeToUtf8Bytes(node, s_body);

    public static string Header(JsonNode node) => node.ToJsonString(s_header);

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
