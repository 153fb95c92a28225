using System.Text.Json;
using System.Text.Json.Serialization;

namespace DropboxFs.Api;

/// <summary>Reads a void-member union (<c>{".tag":"basic"}</c> or the bare string <c>"basic"</c>) as its tag
/// string and writes it back as <c>{".tag":…}</c>.</summary>
internal sealed class UnionTagConverter : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.StartObject:
                string? tag = null;
                var depth = reader.CurrentDepth;
                while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
                {
                    if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1)
                    {
                        var isTag = reader.ValueTextEquals(".tag");
                        reader.Read();
                        if (isTag && reader.TokenType == JsonTokenType.String)
                        {
                            tag = reader.GetString();
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                return tag;
            default:
                throw new JsonException($"Expected a union, got {reader.TokenType}");
        }
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString(".tag", value);
        writer.WriteEndObject();
    }
}
