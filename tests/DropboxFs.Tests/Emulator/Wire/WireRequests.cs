using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DropboxFs.Tests.Emulator.Wire;

/// <summary>Builds raw Dropbox-style requests and checks the wire shapes of the answers.</summary>
internal static partial class WireRequests
{
    public static HttpRequestMessage Rpc(string route, string? body, string? token, string? contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"2/{route}");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        }

        return request;
    }

    public static HttpRequestMessage Upload(string route, string arg, byte[] body, string? token, string contentType = "application/octet-stream")
    {
        var content = new ByteArrayContent(body);
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return Content(route, arg, content, token);
    }

    public static HttpRequestMessage Content(string route, string arg, HttpContent? content, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"2/{route}") { Content = content };
        request.Headers.TryAddWithoutValidation("Dropbox-API-Arg", arg);
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {token}");
        }

        return request;
    }

    /// <summary>The Content-Type exactly as sent, e.g. to tell "application/json" from "application/json; charset=utf-8".</summary>
    public static string? RawContentType(HttpResponseMessage response) =>
        response.Content.Headers.TryGetValues("Content-Type", out var values) ? string.Join(",", values) : null;

    public static void AssertExactJsonContentType(HttpResponseMessage response) =>
        Assert.Equal("application/json", RawContentType(response));

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts a 409 route error: exact JSON Content-Type, an error_summary of tags plus dots, and an error object.</summary>
    public static async Task<JsonElement> AssertRouteErrorAsync(HttpResponseMessage response, string summaryPrefix)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"expected 409, got {(int)response.StatusCode}: {text}");
        AssertExactJsonContentType(response);
        using var doc = JsonDocument.Parse(text);
        var summary = doc.RootElement.GetProperty("error_summary").GetString()!;
        Assert.StartsWith(summaryPrefix, summary, StringComparison.Ordinal);
        Assert.Matches(SummaryShape(), summary);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.GetProperty("error").ValueKind);
        return doc.RootElement.GetProperty("error").Clone();
    }

    /// <summary>Asserts Dropbox's 400 shape: plain text (not JSON), and a message naming the problem.</summary>
    public static async Task AssertBadRequestAsync(HttpResponseMessage response, string messagePart)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(messagePart, text, StringComparison.Ordinal);
    }

    public static async Task AssertAuthErrorAsync(HttpResponseMessage response, string tag)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"expected 401, got {(int)response.StatusCode}: {text}");
        AssertExactJsonContentType(response);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal(tag, doc.RootElement.GetProperty("error").GetProperty(".tag").GetString());
        var summary = doc.RootElement.GetProperty("error_summary").GetString()!;
        Assert.StartsWith($"{tag}/", summary, StringComparison.Ordinal);
        Assert.Matches(SummaryShape(), summary);
    }

    public static string Json(object value) => JsonSerializer.Serialize(value);

    /// <summary>Dropbox content_hash: SHA-256 of the concatenated SHA-256 of each 4 MiB block.</summary>
    public static string ContentHash(byte[] data)
    {
        const int block = 4 * 1024 * 1024;
        using var outer = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var offset = 0; offset < data.Length; offset += block)
        {
            outer.AppendData(SHA256.HashData(data.AsSpan(offset, Math.Min(block, data.Length - offset))));
        }

        return Convert.ToHexStringLower(outer.GetHashAndReset());
    }

    public static string UniqueFolder() => $"/wire-{Guid.NewGuid():N}";

    [GeneratedRegex(@"^([a-z0-9_]+/)+\.*$")]
    private static partial Regex SummaryShape();
}

/// <summary>A body with no known length, so HttpClient sends it with Transfer-Encoding: chunked.</summary>
internal sealed class ChunkedContent(byte[] data, int pieceSize) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        for (var offset = 0; offset < data.Length; offset += pieceSize)
        {
            await stream.WriteAsync(data.AsMemory(offset, Math.Min(pieceSize, data.Length - offset)));
            await stream.FlushAsync();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    public static ChunkedContent Octets(byte[] data, int pieceSize)
    {
        var content = new ChunkedContent(data, pieceSize);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }
}
