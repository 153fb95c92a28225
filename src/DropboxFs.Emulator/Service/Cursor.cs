using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DropboxFs.Emulator.Service;

/// <summary>
/// A list_folder cursor: the listing parameters, the change-log seq it is positioned at, the
/// server epoch (a reset or wipe changes it, so old cursors get <c>reset</c>), and during the
/// initial enumeration the last path emitted (<see cref="After"/>). Wire form: base64url(JSON).
/// </summary>
internal sealed record Cursor(
    [property: JsonPropertyName("v")] int Version,
    [property: JsonPropertyName("e")] string Epoch,
    [property: JsonPropertyName("p")] string Scope,
    [property: JsonPropertyName("r")] bool Recursive,
    [property: JsonPropertyName("d")] bool IncludeDeleted,
    [property: JsonPropertyName("l")] int Limit,
    [property: JsonPropertyName("s")] long Seq,
    [property: JsonPropertyName("a")] string? After)
{
    public string Encode() => "E1" + Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

    public static bool TryDecode(string text, out Cursor cursor)
    {
        cursor = null!;
        if (!text.StartsWith("E1", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var bytes = Base64Url.DecodeFromChars(text.AsSpan(2));
            var c = JsonSerializer.Deserialize<Cursor>(bytes);
            if (c == null || c.Version != 1 || c.Epoch == null || c.Scope == null)
            {
                return false;
            }

            cursor = c;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
