using System.Net;
using System.Text;
using System.Text.Json;
using static DropboxFs.Tests.Emulator.Wire.WireRequests;

namespace DropboxFs.Tests.Emulator.Wire;

/// <summary>Wire details that official SDKs check byte for byte (reference §1.2–§1.6, §1.8).</summary>
public sealed class WireFormatTests(WireServer wire) : IClassFixture<WireServer>
{
    private readonly HttpClient _http = wire.Http;
    private string Token => wire.Token;

    [Fact]
    public async Task RpcSuccessCarriesExactlyApplicationJsonWithoutCharset()
    {
        using var response = await _http.SendAsync(Rpc("users/get_current_account", null, Token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertExactJsonContentType(response);
        var account = await ReadJsonAsync(response);
        Assert.Equal(40, account.GetProperty("account_id").GetString()!.Length);
    }

    [Fact]
    public async Task UploadSuccessCarriesExactlyApplicationJsonWithoutCharset()
    {
        var path = $"{UniqueFolder()}/a.txt";
        using var response = await _http.SendAsync(Upload("files/upload", Json(new { path }), "hello"u8.ToArray(), Token));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertExactJsonContentType(response);
        var meta = await ReadJsonAsync(response);
        Assert.Equal("9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50", meta.GetProperty("content_hash").GetString());
        Assert.False(meta.TryGetProperty(".tag", out _), "FileMetadata from upload has no .tag");
    }

    [Fact]
    public async Task UnauthorizedCarriesExactlyApplicationJsonAndAuthError()
    {
        using var response = await _http.SendAsync(Rpc("users/get_space_usage", null, "no-such-token"));
        await AssertAuthErrorAsync(response, "invalid_access_token");
    }

    [Fact]
    public async Task VoidResultsAreTheJsonBodyNull()
    {
        var folder = UniqueFolder();
        using var start = await _http.SendAsync(Upload("files/upload_session/start", "{}", [1, 2, 3], Token));
        var sessionId = (await ReadJsonAsync(start)).GetProperty("session_id").GetString();
        var appendArg = Json(new { cursor = new { session_id = sessionId, offset = 3 }, close = false });
        using var append = await _http.SendAsync(Upload("files/upload_session/append_v2", appendArg, [4, 5], Token));
        Assert.Equal(HttpStatusCode.OK, append.StatusCode);
        AssertExactJsonContentType(append);
        Assert.Equal("null", await append.Content.ReadAsStringAsync());

        using var up = await _http.SendAsync(Upload("files/upload", Json(new { path = $"{folder}/s.txt" }), [9], Token));
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        using var link = await _http.SendAsync(Rpc("sharing/create_shared_link_with_settings", Json(new { path = $"{folder}/s.txt" }), Token));
        var url = (await ReadJsonAsync(link)).GetProperty("url").GetString();
        using var revoke = await _http.SendAsync(Rpc("sharing/revoke_shared_link", Json(new { url }), Token));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        AssertExactJsonContentType(revoke);
        Assert.Equal("null", await revoke.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task VoidArgumentCallsAcceptNoBodyAndTheJsonBodyNull()
    {
        // js and Go send no body and no Content-Type; Python sends Content-Type: application/json and "null".
        using var bare = await _http.SendAsync(Rpc("users/get_space_usage", null, Token));
        using var jsonNull = await _http.SendAsync(Rpc("users/get_space_usage", "null", Token));
        var emptyRequest = Rpc("users/get_current_account", null, Token);
        emptyRequest.Content = new ByteArrayContent([]);
        using var emptyNoType = await _http.SendAsync(emptyRequest);
        foreach (var response in new[] { bare, jsonNull, emptyNoType })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            AssertExactJsonContentType(response);
        }

        Assert.Equal("individual", (await ReadJsonAsync(jsonNull)).GetProperty("allocation").GetProperty(".tag").GetString());
    }

    [Theory]
    [InlineData("Café.txt", @"\u00e9")]
    [InlineData("日本語.txt", @"\u65e5")]
    public async Task DownloadResultHeaderIsAsciiWithLowercaseOrUppercaseUnicodeEscapes(string name, string escape)
    {
        var path = $"{UniqueFolder()}/{name}";
        using var up = await _http.SendAsync(Upload("files/upload", EscapedJson(new { path }), "x"u8.ToArray(), Token));
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);

        using var down = await _http.SendAsync(Content("files/download", EscapedJson(new { path }), null, Token));
        Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        var header = down.Headers.GetValues("Dropbox-API-Result").Single();
        Assert.All(header, c => Assert.InRange(c, (char)0x20, (char)0x7E));
        Assert.Contains(escape, header, StringComparison.OrdinalIgnoreCase);
        using var doc = JsonDocument.Parse(header);
        Assert.Equal(name, doc.RootElement.GetProperty("name").GetString());
    }

    [Fact]
    public async Task AstralNameIsEitherRejectedCleanlyOrEscapedAsASurrogatePair()
    {
        var path = $"{UniqueFolder()}/smile-😀.txt";
        using var up = await _http.SendAsync(Upload("files/upload", EscapedJson(new { path }), "x"u8.ToArray(), Token));
        if (up.StatusCode != HttpStatusCode.OK)
        {
            // Dropbox refuses characters outside the BMP (reference §6.2): 400 or 409 malformed_path, never 500.
            Assert.True(up.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict, $"got {(int)up.StatusCode}");
            if (up.StatusCode == HttpStatusCode.Conflict)
            {
                await AssertRouteErrorAsync(up, "path/malformed_path/");
            }

            return;
        }

        using var down = await _http.SendAsync(Content("files/download", EscapedJson(new { path }), null, Token));
        var header = down.Headers.GetValues("Dropbox-API-Result").Single();
        Assert.All(header, c => Assert.InRange(c, (char)0x20, (char)0x7E));
        Assert.Contains(@"\ud83d\ude00", header, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task RawUtf8AndEscapedDropboxApiArgNameTheSameFile()
    {
        var folder = UniqueFolder();
        var data = "crème brûlée"u8.ToArray();
        // Raw UTF-8 header bytes, the way rclone (Go SDK) sends them.
        var rawArg = $"{{\"path\":\"{folder}/Crème 日本.txt\",\"mode\":\"add\"}}";
        using var up = await _http.SendAsync(Upload("files/upload", rawArg, data, Token));
        Assert.True(up.StatusCode == HttpStatusCode.OK, await up.Content.ReadAsStringAsync());
        Assert.Equal("Crème 日本.txt", (await ReadJsonAsync(up)).GetProperty("name").GetString());

        // \u-escaped, the way the js and Python SDKs send them.
        var escapedArg = $"{{\"path\":\"{folder}/Cr\\u00e8me \\u65e5\\u672c.txt\"}}";
        using var down = await _http.SendAsync(Content("files/download", escapedArg, null, Token));
        Assert.Equal(HttpStatusCode.OK, down.StatusCode);
        Assert.Equal(data, await down.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ChunkedUploadBodiesAreAcceptedOnUploadAndAppend()
    {
        var data = new byte[300_000];
        new Random(5).NextBytes(data);
        var path = $"{UniqueFolder()}/chunked.bin";
        var request = Content("files/upload", Json(new { path }), ChunkedContent.Octets(data, 65_536), Token);
        request.Headers.TransferEncodingChunked = true;
        using var up = await _http.SendAsync(request);
        Assert.True(up.StatusCode == HttpStatusCode.OK, await up.Content.ReadAsStringAsync());
        Assert.Equal(ContentHash(data), (await ReadJsonAsync(up)).GetProperty("content_hash").GetString());

        using var start = await _http.SendAsync(Content("files/upload_session/start", "{}", ChunkedContent.Octets(data[..1000], 100), Token));
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var sessionId = (await ReadJsonAsync(start)).GetProperty("session_id").GetString();
        var appendArg = Json(new { cursor = new { session_id = sessionId, offset = 1000 } });
        using var append = await _http.SendAsync(Content("files/upload_session/append_v2", appendArg, ChunkedContent.Octets(data[1000..], 4096), Token));
        Assert.Equal(HttpStatusCode.OK, append.StatusCode);
        var finishArg = Json(new { cursor = new { session_id = sessionId, offset = data.Length }, commit = new { path = path + "2" } });
        using var finish = await _http.SendAsync(Upload("files/upload_session/finish", finishArg, [], Token));
        Assert.True(finish.StatusCode == HttpStatusCode.OK, await finish.Content.ReadAsStringAsync());
        Assert.Equal(data.Length, (await ReadJsonAsync(finish)).GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task RouteErrorsUseThe409EnvelopeWithNestedUnionsAndSummary()
    {
        using var response = await _http.SendAsync(Rpc("files/get_metadata", Json(new { path = $"{UniqueFolder()}/missing" }), Token));
        var error = await AssertRouteErrorAsync(response, "path/not_found/");
        Assert.Equal("path", error.GetProperty(".tag").GetString());
        Assert.Equal("not_found", error.GetProperty("path").GetProperty(".tag").GetString());
    }

    [Fact]
    public async Task InlinedStructErrorsEndTheSummaryAtTheirTag()
    {
        using var start = await _http.SendAsync(Upload("files/upload_session/start", "{}", new byte[10], Token));
        var sessionId = (await ReadJsonAsync(start)).GetProperty("session_id").GetString();
        var arg = Json(new { cursor = new { session_id = sessionId, offset = 4 } });
        using var response = await _http.SendAsync(Upload("files/upload_session/append_v2", arg, [1], Token));
        var error = await AssertRouteErrorAsync(response, "incorrect_offset/");
        Assert.Equal(10, error.GetProperty("correct_offset").GetInt64());
        Assert.Matches(@"^incorrect_offset/\.*$", (await ReadJsonAsync(response)).GetProperty("error_summary").GetString()!);
    }

    [Fact]
    public async Task UploadWriteFailedInlinesReasonBesideTheTag()
    {
        var path = $"{UniqueFolder()}/c.txt";
        using var first = await _http.SendAsync(Upload("files/upload", Json(new { path }), [1], Token));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await _http.SendAsync(Upload("files/upload", Json(new { path }), [2], Token));
        var error = await AssertRouteErrorAsync(second, "path/conflict/file/");
        Assert.Equal("conflict", error.GetProperty("reason").GetProperty(".tag").GetString());
        Assert.Equal("file", error.GetProperty("reason").GetProperty("conflict").GetProperty(".tag").GetString());
    }

    /// <summary>JSON with every non-ASCII character as \uXXXX, as the js SDK's httpHeaderSafeJson makes it.</summary>
    private static string EscapedJson(object value)
    {
        var json = JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        var sb = new StringBuilder(json.Length);
        foreach (var c in json)
        {
            sb.Append(c is >= (char)0x7F ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return sb.ToString();
    }
}
