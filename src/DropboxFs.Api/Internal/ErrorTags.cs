using System.Text.Json.Nodes;

namespace DropboxFs.Api;

/// <summary>Builds the union tag path of a Stone error value, the way error_summary is built: follow the tag into a
/// member named after it; for inlined struct members and plain structs (RateLimitError) continue into the first
/// union-typed field.</summary>
internal static class ErrorTags
{
    public static string TagPathOf(JsonNode? error)
    {
        var parts = new List<string>();
        var node = error;
        while (node is JsonObject obj && parts.Count < 16)
        {
            string? tag = obj[".tag"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
            if (tag is not null)
            {
                parts.Add(tag);
                if (obj[tag] is JsonObject nested)
                {
                    node = nested;
                    continue;
                }
            }
            node = FirstUnionField(obj);
        }
        return string.Join('/', parts);
    }

    public static string TagPathOfSummary(string? summary)
    {
        if (string.IsNullOrEmpty(summary))
        {
            return "";
        }
        return summary.TrimEnd('.').TrimEnd('/');
    }

    private static JsonObject? FirstUnionField(JsonObject obj)
    {
        foreach (var (key, value) in obj)
        {
            if (key != ".tag" && value is JsonObject o && o.ContainsKey(".tag"))
            {
                return o;
            }
        }
        return null;
    }
}
