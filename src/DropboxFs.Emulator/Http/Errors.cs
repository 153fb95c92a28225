using System.Text;
using System.Text.Json.Nodes;

namespace DropboxFs.Emulator.Http;

/// <summary>
/// The error catalogue. Union values are built with <see cref="Tag"/> (void member),
/// <see cref="Nest"/> (member whose value is a union, list or primitive: nested under its own key)
/// and <see cref="Inline"/> (member whose value is a plain struct: fields beside the tag), per §1.5.
/// </summary>
internal static class Errors
{
    public static JsonObject Tag(string tag) => new() { [".tag"] = tag };

    public static JsonObject Nest(string tag, JsonNode? value) => new() { [".tag"] = tag, [tag] = value };

    public static JsonObject Inline(string tag, params (string Key, JsonNode? Value)[] fields)
    {
        var o = Tag(tag);
        foreach (var (k, v) in fields)
        {
            o[k] = v;
        }

        return o;
    }

    // LookupError and WriteError members (§5, §6.3).
    public static JsonObject NotFound => Tag("not_found");
    public static JsonObject NotFile => Tag("not_file");
    public static JsonObject NotFolder => Tag("not_folder");
    public static JsonObject MalformedPath => Tag("malformed_path");
    public static JsonObject DisallowedName => Tag("disallowed_name");
    public static JsonObject InsufficientSpace => Tag("insufficient_space");
    public static JsonObject TooManyWriteOperations => Tag("too_many_write_operations");

    /// <summary>WriteError.conflict with a WriteConflictError of file, folder or file_ancestor.</summary>
    public static JsonObject Conflict(string what) => Nest("conflict", Tag(what));

    /// <summary>A 409 route error.</summary>
    public static ApiException Route(JsonObject error) => new(409, error, null);

    /// <summary>A 409 <c>&lt;tag&gt;/&lt;inner&gt;</c> route error, e.g. path/not_found.</summary>
    public static ApiException Route(string tag, JsonObject inner) => Route(Nest(tag, inner));

    /// <summary>A 400 plain-text error: <c>Error in call to API function "route": message</c>.</summary>
    public static ApiException BadRequest(string message) => new(400, null, message);

    public static ApiException BadArg(string field, string message) => BadRequest($"request body: {field}: {message}");

    /// <summary>401 with an AuthError: invalid_access_token, expired_access_token, ...</summary>
    public static ApiException Auth(string tag) => new(401, Tag(tag), null);

    /// <summary>429 with a RateLimitError struct (no top-level tag) and Retry-After.</summary>
    public static ApiException RateLimited(string reason, int retryAfter) =>
        new(429, new JsonObject { ["reason"] = Tag(reason), ["retry_after"] = retryAfter }, null, retryAfter);

    public static ApiException Status(int status, string text, int? retryAfter = null) => new(status, null, text, retryAfter);

    public static ApiException OAuth(string error, string description) =>
        new(400, null, description) { OAuthBody = new JsonObject { ["error"] = error, ["error_description"] = description } };

    /// <summary>
    /// error_summary: the union tags along the value, each followed by '/', then 0–3 dots (§1.8).
    /// Descends into the member's own key, else into the first union-valued field of an inlined
    /// struct (e.g. UploadWriteFailed.reason); never into Metadata subtypes.
    /// </summary>
    public static string Summary(JsonObject error)
    {
        var sb = new StringBuilder();
        Walk(error, sb);
        return sb.Append('.', Random.Shared.Next(0, 4)).ToString();
    }

    private static void Walk(JsonObject node, StringBuilder sb)
    {
        if (node.TryGetPropertyValue(".tag", out var tagNode) && tagNode is JsonValue)
        {
            var tag = tagNode.GetValue<string>();
            sb.Append(tag).Append('/');
            if (node.TryGetPropertyValue(tag, out var inner))
            {
                if (inner is JsonObject o && IsUnion(o))
                {
                    Walk(o, sb);
                }

                return;
            }
        }

        foreach (var (key, value) in node)
        {
            if (key != ".tag" && value is JsonObject o && IsUnion(o))
            {
                Walk(o, sb);
                return;
            }
        }
    }

    // Metadata subtypes carry a .tag too, but they are structs: the summary stops before them.
    private static bool IsUnion(JsonObject o) => o.ContainsKey(".tag") && !o.ContainsKey("name") && !o.ContainsKey("root_namespace_id");
}
