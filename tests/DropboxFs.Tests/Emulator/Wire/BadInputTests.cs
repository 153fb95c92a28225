using System.Net;
using System.Text;
using static DropboxFs.Tests.Emulator.Wire.WireRequests;

namespace DropboxFs.Tests.Emulator.Wire;

/// <summary>Malformed requests get Dropbox's status and error shape (reference §1.8, §5, §6), never a 500.</summary>
public sealed class BadInputTests(WireServer wire) : IClassFixture<WireServer>
{
    private readonly HttpClient _http = wire.Http;
    private string Token => wire.Token;

    [Fact]
    public async Task MalformedJsonBodyIs400PlainText()
    {
        using var response = await _http.SendAsync(Rpc("files/list_folder", "{\"path\": \"\",", Token));
        await AssertBadRequestAsync(response, "could not decode input as JSON");
    }

    [Fact]
    public async Task MalformedDropboxApiArgHeaderIs400PlainText()
    {
        using var response = await _http.SendAsync(Upload("files/upload", "{path:", [1], Token));
        await AssertBadRequestAsync(response, "Dropbox-API-Arg");
    }

    [Theory]
    [InlineData("text/xml")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task WrongRpcContentTypeIs400NamingTheAcceptedTypes(string contentType)
    {
        using var response = await _http.SendAsync(Rpc("files/list_folder", "{\"path\": \"\"}", Token, contentType));
        await AssertBadRequestAsync(response, "Bad HTTP \"Content-Type\" header");
        Assert.Contains("application/json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongUploadContentTypeIs400NamingOctetStream()
    {
        var arg = Json(new { path = $"{UniqueFolder()}/a.txt" });
        using var response = await _http.SendAsync(Upload("files/upload", arg, [1], Token, "application/json"));
        await AssertBadRequestAsync(response, "Bad HTTP \"Content-Type\" header");
        Assert.Contains("application/octet-stream", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2/files/no_such_route")]
    [InlineData("2/nonamespace/list_folder")]
    [InlineData("2/files/list_folder_v9")]
    public async Task UnknownRouteIsA400Or404NotA500(string url)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("{}", Encoding.UTF8) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {Token}");
        using var response = await _http.SendAsync(request);
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"got {(int)response.StatusCode}");
    }

    [Fact]
    public async Task PathWithoutLeadingSlashFailsThePatternWith400()
    {
        using var response = await _http.SendAsync(Rpc("files/get_metadata", Json(new { path = "no/leading/slash.txt" }), Token));
        await AssertBadRequestAsync(response, "path");
    }

    [Theory]
    [InlineData("/a//b.txt")]
    [InlineData("/dir/trailing/")]
    [InlineData("/dir/trailing-space ")]
    [InlineData("/dir/./x.txt")]
    public async Task MalformedWritePathIs409MalformedPath(string suffix)
    {
        var arg = Json(new { path = UniqueFolder() + suffix });
        using var response = await _http.SendAsync(Upload("files/upload", arg, [1], Token));
        var error = await AssertRouteErrorAsync(response, "path/malformed_path/");
        Assert.Equal("malformed_path", error.GetProperty("reason").GetProperty(".tag").GetString());
    }

    [Fact]
    public async Task SlashAsListFolderRootIs400AskingForTheEmptyString()
    {
        using var response = await _http.SendAsync(Rpc("files/list_folder", Json(new { path = "/" }), Token));
        await AssertBadRequestAsync(response, "Specify the root folder as an empty string rather than as \"/\".");
    }

    [Fact]
    public async Task NameOf256CharactersIsMalformedPathWhile255IsAccepted()
    {
        var folder = UniqueFolder();
        using var ok = await _http.SendAsync(Rpc("files/create_folder_v2", Json(new { path = $"{folder}/{new string('a', 255)}" }), Token));
        Assert.True(ok.StatusCode == HttpStatusCode.OK, await ok.Content.ReadAsStringAsync());
        using var tooLong = await _http.SendAsync(Rpc("files/create_folder_v2", Json(new { path = $"{folder}/{new string('b', 256)}" }), Token));
        await AssertRouteErrorAsync(tooLong, "path/malformed_path/");
    }

    [Theory]
    [InlineData("desktop.ini")]
    [InlineData("Thumbs.db")]
    [InlineData(".DS_Store")]
    [InlineData(".dropbox")]
    public async Task DisallowedNameIs409DisallowedName(string name)
    {
        var arg = Json(new { path = $"{UniqueFolder()}/{name}" });
        using var response = await _http.SendAsync(Upload("files/upload", arg, [1], Token));
        var error = await AssertRouteErrorAsync(response, "path/disallowed_name/");
        Assert.Equal("disallowed_name", error.GetProperty("reason").GetProperty(".tag").GetString());
    }

    [Fact]
    public async Task BadTokenIs401InvalidAccessTokenOnRpcAndContentRoutes()
    {
        using var rpc = await _http.SendAsync(Rpc("files/list_folder", Json(new { path = "" }), "garbage-token"));
        await AssertAuthErrorAsync(rpc, "invalid_access_token");
        using var content = await _http.SendAsync(Content("files/download", Json(new { path = "/x" }), null, "garbage-token"));
        await AssertAuthErrorAsync(content, "invalid_access_token");
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Token abc")]
    public async Task MalformedAuthorizationHeaderIs400PlainText(string value)
    {
        var request = Rpc("files/list_folder", Json(new { path = "" }), token: null);
        request.Headers.TryAddWithoutValidation("Authorization", value);
        using var response = await _http.SendAsync(request);
        await AssertBadRequestAsync(response, "Invalid authorization value in HTTP header \"Authorization\"");
    }

    [Fact]
    public async Task MissingAuthorizationOnAUserRouteIs400AskingForTheHeader()
    {
        using var response = await _http.SendAsync(Rpc("files/list_folder", Json(new { path = "" }), token: null));
        await AssertBadRequestAsync(response, "Must provide HTTP header \"Authorization\" or URL parameter \"authorization\".");
    }

    [Fact]
    public async Task AuthorizationHeaderOnLongpollIs400()
    {
        using var cursorResponse = await _http.SendAsync(Rpc("files/list_folder/get_latest_cursor", Json(new { path = "" }), Token));
        var cursor = (await ReadJsonAsync(cursorResponse)).GetProperty("cursor").GetString();
        using var response = await _http.SendAsync(Rpc("files/list_folder/longpoll", Json(new { cursor, timeout = 30 }), Token));
        await AssertBadRequestAsync(response, "Authorization header, but this function does not use it");
    }

    [Fact]
    public async Task GarbageCursorIs400OnContinueAndNot500OnLongpoll()
    {
        using var cont = await _http.SendAsync(Rpc("files/list_folder/continue", Json(new { cursor = "garbage!" }), Token));
        await AssertBadRequestAsync(cont, "cursor");
        using var poll = await _http.SendAsync(Rpc("files/list_folder/longpoll", Json(new { cursor = "garbage!", timeout = 30 }), token: null));
        Assert.True(poll.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict, $"got {(int)poll.StatusCode}");
        if (poll.StatusCode == HttpStatusCode.Conflict)
        {
            await AssertRouteErrorAsync(poll, "reset/");
        }
    }

    [Fact]
    public async Task UnknownJsonFieldIs400NamingTheField()
    {
        using var rpc = await _http.SendAsync(Rpc("files/list_folder", "{\"path\": \"\", \"bogus_field\": 1}", Token));
        await AssertBadRequestAsync(rpc, "bogus_field");
        var arg = Json(new { path = $"{UniqueFolder()}/u.txt", sneaky = true });
        using var upload = await _http.SendAsync(Upload("files/upload", arg, [1], Token));
        await AssertBadRequestAsync(upload, "sneaky");
    }

    [Fact]
    public async Task MissingRequiredFieldIs400NamingTheField()
    {
        using var response = await _http.SendAsync(Rpc("files/get_metadata", "{}", Token));
        await AssertBadRequestAsync(response, "path");
        using var move = await _http.SendAsync(Rpc("files/move_v2", Json(new { from_path = "/a" }), Token));
        await AssertBadRequestAsync(move, "to_path");
    }

    [Theory]
    [InlineData("2020-01-02T03:04:05.123Z")]
    [InlineData("2020-01-02T03:04:05+01:00")]
    [InlineData("2020-01-02 03:04:05")]
    public async Task ClientModifiedWithFractionOrOffsetIs400(string stamp)
    {
        var arg = Json(new { path = $"{UniqueFolder()}/t.txt", client_modified = stamp });
        using var response = await _http.SendAsync(Upload("files/upload", arg, [1], Token));
        await AssertBadRequestAsync(response, "client_modified");
    }

    [Fact]
    public async Task WrongJsonTypeForAFieldIs400()
    {
        using var response = await _http.SendAsync(Rpc("files/list_folder", "{\"path\": \"\", \"recursive\": \"yes\"}", Token));
        await AssertBadRequestAsync(response, "recursive");
    }

    [Fact]
    public async Task VoidRouteWithJsonContentTypeButEmptyBodyIs400AsOnDropbox()
    {
        // Reference §1.2 [obs]: no body and no Content-Type is fine (js, Go), "null" is fine (Python), but
        // an empty body that claims to be JSON is rejected; a lenient emulator would hide that client bug.
        var request = Rpc("users/get_space_usage", null, Token);
        request.Content = new ByteArrayContent([]);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await _http.SendAsync(request);
        await AssertBadRequestAsync(response, "could not decode input as JSON");
    }
}
