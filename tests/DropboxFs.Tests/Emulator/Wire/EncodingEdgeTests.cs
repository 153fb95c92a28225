using System.Net;
using System.Text;
using static DropboxFs.Tests.Emulator.Wire.WireRequests;

namespace DropboxFs.Tests.Emulator.Wire;

/// <summary>Bytes that are not valid UTF-8 or not valid Unicode get a 400, never a 500 or a mangled name.</summary>
public sealed class EncodingEdgeTests(WireServer wire) : IClassFixture<WireServer>
{
    private readonly HttpClient _http = wire.Http;
    private string Token => wire.Token;

    [Fact]
    public async Task RpcBodyWithInvalidUtf8Is400NotA500()
    {
        var folder = UniqueFolder();
        var body = Encoding.ASCII.GetBytes($"{{\"path\": \"{folder}/bad").Concat(new byte[] { 0xFF, 0xFE }).Concat("\"}"u8.ToArray()).ToArray();
        var request = Rpc("files/create_folder_v2", null, Token);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        using var response = await _http.SendAsync(request);
        await AssertBadRequestAsync(response, "could not decode input as JSON");
    }

    [Fact]
    public async Task DropboxApiArgWithInvalidUtf8Is400AndCreatesNothing()
    {
        var folder = UniqueFolder();
        // Latin-1 turns U+00FF U+00FE into the single bytes 0xFF 0xFE, which no UTF-8 decoder accepts.
        using var latin1 = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.Latin1 })
        {
            BaseAddress = wire.Server.BaseUri,
        };
        var arg = $"{{\"path\": \"{folder}/bad\u00FF\u00FE.txt\"}}";
        using var response = await latin1.SendAsync(Upload("files/upload", arg, [1], Token));
        await AssertBadRequestAsync(response, "Dropbox-API-Arg");

        using var list = await _http.SendAsync(Rpc("files/list_folder", Json(new { path = folder }), Token));
        Assert.Equal(HttpStatusCode.Conflict, list.StatusCode); // the folder was never created
    }

    [Theory]
    [InlineData(@"\ud83d")]
    [InlineData(@"\ude00")]
    [InlineData(@"\ude00\ud83d")]
    public async Task LoneSurrogateEscapeInDropboxApiArgIs400NotA500(string escape)
    {
        var arg = $"{{\"path\": \"{UniqueFolder()}/x{escape}.txt\"}}";
        using var response = await _http.SendAsync(Upload("files/upload", arg, [1], Token));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task LoneSurrogateEscapeInRpcBodyIs400NotA500()
    {
        using var response = await _http.SendAsync(Rpc("files/create_folder_v2", $"{{\"path\": \"{UniqueFolder()}/x\\ud83d\"}}", Token));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task AstralCharacterSentAsRawUtf8IsRejectedLikeItsEscapedForm()
    {
        var folder = UniqueFolder();
        using var raw = await _http.SendAsync(Upload("files/upload", $"{{\"path\": \"{folder}/😀.txt\"}}", [1], Token));
        using var escaped = await _http.SendAsync(Upload("files/upload", $"{{\"path\": \"{folder}/\\ud83d\\ude00.txt\"}}", [1], Token));
        Assert.Equal(escaped.StatusCode, raw.StatusCode);
        Assert.NotEqual(HttpStatusCode.InternalServerError, raw.StatusCode);
    }
}
