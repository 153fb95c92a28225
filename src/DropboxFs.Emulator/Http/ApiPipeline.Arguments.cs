using System.Text.Json;

namespace DropboxFs.Emulator.Http;

/// <summary>Argument decoding and header checks: Content-Type, Dropbox-API-Arg / arg, JSON validity, Path-Root.</summary>
internal sealed partial class ApiPipeline
{
    /// <summary>
    /// Dropbox-API-Path-Root (§1.9): a personal account's home is its root, so home, root and
    /// namespace_id naming our one namespace all pass; any other namespace is a 422.
    /// </summary>
    private static void CheckPathRoot(HttpContext ctx)
    {
        string? header = ctx.Request.Headers["Dropbox-API-Path-Root"];
        if (header == null)
        {
            return;
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(header).RootElement;
        }
        catch (JsonException)
        {
            throw Errors.BadRequest("HTTP header \"Dropbox-API-Path-Root\": could not decode input as JSON");
        }

        var tag = root.ValueKind == JsonValueKind.String ? root.GetString()
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty(".tag", out var t) ? t.GetString() : null;
        var ns = tag != null && root.ValueKind == JsonValueKind.Object && root.TryGetProperty(tag, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        switch (tag)
        {
            case "home":
                return;
            case "root" when ns == Service.DropboxState.NamespaceId:
            case "namespace_id" when ns == Service.DropboxState.NamespaceId:
                return;
            case "root":
                var info = new System.Text.Json.Nodes.JsonObject
                {
                    [".tag"] = "user",
                    ["root_namespace_id"] = Service.DropboxState.NamespaceId,
                    ["home_namespace_id"] = Service.DropboxState.NamespaceId,
                };
                throw new ApiException(422, Errors.Nest("invalid_root", info), null);
            case "namespace_id":
                throw new ApiException(422, Errors.Tag("no_permission"), null);
            default:
                throw Errors.BadRequest("HTTP header \"Dropbox-API-Path-Root\": unknown tag");
        }
    }

    private static async Task<ArgReader?> ReadRpcArgAsync(HttpContext ctx, RouteDef def)
    {
        var body = await ReadSmallBodyAsync(ctx);
        var contentType = ctx.Request.ContentType;
        if (def.VoidArg && body.Length == 0 && string.IsNullOrEmpty(contentType))
        {
            return null; // [js]/[go] send no body and no Content-Type for void arguments (§1.2)
        }

        if (!IsOneOf(contentType, "application/json", "application/json; charset=utf-8", "text/plain; charset=dropbox-cors-hack"))
        {
            throw Errors.BadRequest($"Bad HTTP \"Content-Type\" header: \"{contentType}\".  Expecting one of \"application/json\", \"application/json; charset=utf-8\", \"text/plain; charset=dropbox-cors-hack\".");
        }

        var root = Parse(body, "request body");
        if (root.ValueKind == JsonValueKind.Null && def.VoidArg)
        {
            return null; // [py] sends the body null
        }

        return ArgReader.Root(root, "request body");
    }

    private static ArgReader ReadHeaderArg(HttpContext ctx, RouteDef def)
    {
        string? text = ctx.Request.Headers[ArgHeader];
        var source = $"HTTP header \"{ArgHeader}\"";
        if (text == null && ctx.Request.Query.TryGetValue("arg", out var q))
        {
            text = q;
            source = "URL parameter \"arg\"";
        }

        if (text == null)
        {
            throw Errors.BadRequest($"Must provide HTTP header \"{ArgHeader}\" or URL parameter \"arg\".");
        }

        var contentType = ctx.Request.ContentType;
        if (def.Style == RouteStyle.Upload && contentType != null
            && !IsOneOf(contentType, "application/octet-stream", "text/plain; charset=dropbox-cors-hack"))
        {
            throw Errors.BadRequest($"Bad HTTP \"Content-Type\" header: \"{contentType}\".  Expecting one of \"application/octet-stream\", \"text/plain; charset=dropbox-cors-hack\".");
        }

        if (text.Contains('\uFFFD'))
        {
            // Kestrel decoded invalid UTF-8 bytes leniently; a name the client did not send must not be created.
            throw Errors.BadRequest($"{source}: could not decode input as JSON");
        }

        return ArgReader.Root(Parse(System.Text.Encoding.UTF8.GetBytes(text), source), source);
    }

    /// <summary>Parses JSON that must be valid UTF-8 and hold only valid Unicode strings (no lone surrogate escapes).</summary>
    private static JsonElement Parse(byte[] bytes, string source)
    {
        try
        {
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                throw new JsonException("invalid UTF-8");
            }

            using var doc = JsonDocument.Parse(bytes);
            CheckStrings(doc.RootElement);
            return doc.RootElement.Clone();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw Errors.BadRequest($"{source}: could not decode input as JSON");
        }
    }

    // GetString throws InvalidOperationException on "\ud83d" without its pair; find that here, not in a handler.
    private static void CheckStrings(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                _ = e.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    CheckStrings(item);
                }

                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    _ = p.Name;
                    CheckStrings(p.Value);
                }

                break;
        }
    }

    private static async Task<byte[]> ReadSmallBodyAsync(HttpContext ctx)
    {
        using var ms = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int n;
        while ((n = await ctx.Request.Body.ReadAsync(buffer, ctx.RequestAborted)) > 0)
        {
            ms.Write(buffer, 0, n);
            if (ms.Length > MaxRpcBody)
            {
                throw Errors.BadRequest("request body: too large");
            }
        }

        return ms.ToArray();
    }

    private static bool IsOneOf(string? contentType, params string[] allowed)
    {
        if (contentType == null)
        {
            return false;
        }

        var normalized = string.Join("; ", contentType.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
        return allowed.Contains(normalized);
    }
}
