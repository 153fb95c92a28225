using System.Text.Json;
using System.Text.Json.Nodes;
using DropboxFs.Api;

namespace DropboxFs.Tests.Api;

public sealed class WireFormatTests
{
    [Fact]
    public void ApiArgHeaderEscapesEveryNonAsciiCharacterIncludingAstralAndDel()
    {
        var arg = new JsonObject { ["path"] = "/Café/😀\u007f.txt" };
        var header = ApiJson.ToHeaderValue(arg);
        Assert.All(header, c => Assert.True(c < 0x7F, $"char {(int)c} not escaped"));
        Assert.Contains("\\u00e9", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\\ud83d\\ude00", header, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("/Café/😀\u007f.txt", (string?)JsonNode.Parse(header)!["path"]);
    }

    [Fact]
    public void TimestampsAreWholeSecondsUtcWithZ()
    {
        var t = new DateTimeOffset(2026, 1, 2, 4, 4, 5, 987, TimeSpan.FromHours(1));
        Assert.Equal("2026-01-02T03:04:05Z", ApiJson.FormatTimestamp(t));
    }

    [Fact]
    public void TaggedMetadataDeserializesToItsSubtypeAndUntaggedFileMetadataToo()
    {
        const string file = """{".tag": "file", "name": "a.txt", "path_lower": "/a.txt", "path_display": "/a.txt", "id": "id:AAAAAAAAAAAAAAAAAAAAAw", "client_modified": "2026-01-02T03:04:05Z", "server_modified": "2026-01-02T03:04:06Z", "rev": "0160000000000000100000001", "size": 5, "is_downloadable": true, "content_hash": "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50"}""";
        var meta = JsonSerializer.Deserialize(file, ApiJsonContext.Default.Metadata);
        var f = Assert.IsType<FileMetadata>(meta);
        Assert.Equal(5, f.Size);
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 6, TimeSpan.Zero), f.ServerModified);
        Assert.IsType<FolderMetadata>(JsonSerializer.Deserialize("""{".tag": "folder", "name": "Docs", "id": "id:x"}""", ApiJsonContext.Default.Metadata));
        Assert.IsType<DeletedMetadata>(JsonSerializer.Deserialize("""{"name": "pi.txt", ".tag": "deleted"}""", ApiJsonContext.Default.Metadata));
        var untagged = JsonSerializer.Deserialize(file.Replace("\".tag\": \"file\", ", ""), ApiJsonContext.Default.FileMetadata);
        Assert.Equal("0160000000000000100000001", untagged!.Rev);
        // finish_batch_v2 success entries inline FileMetadata beside a .tag that is not a subtype.
        var inlined = JsonSerializer.Deserialize(file.Replace("\"file\"", "\"success\""), ApiJsonContext.Default.FileMetadata);
        Assert.Equal("a.txt", inlined!.Name);
    }

    [Fact]
    public void CommitInfoFollowsConflictRulesInOrder()
    {
        var update = DropboxClient.CommitInfo("/a", new UploadOptions { IfRevision = "abcdef0123", RenameIfExists = true, Overwrite = true });
        Assert.Equal("""{"path":"/a","mode":{".tag":"update","update":"abcdef0123"},"autorename":true}""", update.ToJsonString());
        var strictUpdate = DropboxClient.CommitInfo("/a", new UploadOptions { IfRevision = "abcdef0123" });
        Assert.Equal(false, (bool?)strictUpdate["autorename"]);
        var rename = DropboxClient.CommitInfo("/a", new UploadOptions { RenameIfExists = true, Overwrite = true });
        Assert.Equal("""{"path":"/a","mode":{".tag":"add"},"autorename":true}""", rename.ToJsonString());
        var overwrite = DropboxClient.CommitInfo("/a", new UploadOptions { Overwrite = true, Mute = true, ClientModified = new DateTimeOffset(2026, 5, 6, 7, 8, 9, 500, TimeSpan.Zero) });
        Assert.Equal("""{"path":"/a","mode":{".tag":"overwrite"},"autorename":false,"client_modified":"2026-05-06T07:08:09Z","mute":true}""", overwrite.ToJsonString());
        var add = DropboxClient.CommitInfo("/a", UploadOptions.Default);
        Assert.Equal("""{"path":"/a","mode":{".tag":"add"},"autorename":false}""", add.ToJsonString());
    }

    [Theory]
    [InlineData("""{"error_summary": "path/not_found/..", "error": {".tag": "path", "path": {".tag": "not_found"}}}""", "path/not_found")]
    [InlineData("""{"error_summary": "path/conflict/file/.", "error": {".tag": "path", "reason": {".tag": "conflict", "conflict": {".tag": "file"}}, "upload_session_id": "x"}}""", "path/conflict/file")]
    [InlineData("""{"error_summary": "lookup_failed/incorrect_offset/...", "error": {".tag": "lookup_failed", "lookup_failed": {".tag": "incorrect_offset", "correct_offset": 8388608}}}""", "lookup_failed/incorrect_offset")]
    [InlineData("""{"error_summary": "too_many_write_operations/", "error": {"reason": {".tag": "too_many_write_operations"}, "retry_after": 15}}""", "too_many_write_operations")]
    [InlineData("""{"error_summary": "reset/..", "error": {".tag": "reset"}}""", "reset")]
    public void ErrorTagPathFollowsNestedAndInlinedUnions(string body, string expected)
    {
        var error = JsonNode.Parse(body)!["error"];
        Assert.Equal(expected, ErrorTags.TagPathOf(error));
    }

    [Fact]
    public async Task ErrorResponsesBecomeExceptionsWithStatusTagsRetryAfterAndCorrectOffset()
    {
        using var offset = new HttpResponseMessage(System.Net.HttpStatusCode.Conflict)
        {
            Content = new StringContent("""{"error_summary": "lookup_failed/incorrect_offset/...", "error": {".tag": "lookup_failed", "lookup_failed": {".tag": "incorrect_offset", "correct_offset": 8388608}}}"""),
        };
        var ex = await DropboxClient.ReadErrorAsync("files/upload_session/finish", offset, default);
        Assert.True(ex.IsIncorrectOffset);
        Assert.Equal(8388608, ex.CorrectOffset);
        Assert.Equal(409, ex.StatusCode);
        Assert.Equal("lookup_failed/incorrect_offset/...", ex.ErrorSummary);

        using var limited = new HttpResponseMessage((System.Net.HttpStatusCode)429)
        {
            Content = new StringContent("""{"error_summary": "too_many_requests/", "error": {"reason": {".tag": "too_many_requests"}, "retry_after": 300}}"""),
        };
        limited.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        var rate = await DropboxClient.ReadErrorAsync("files/list_folder", limited, default);
        Assert.True(rate.IsRateLimited);
        Assert.True(rate.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(7), rate.RetryAfter); // header first, like the Go SDK

        using var expired = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized)
        {
            Content = new StringContent("""{"error_summary": "expired_access_token/..", "error": {".tag": "expired_access_token"}}"""),
        };
        Assert.True((await DropboxClient.ReadErrorAsync("x", expired, default)).IsExpiredToken);

        using var plain = new HttpResponseMessage(System.Net.HttpStatusCode.BadRequest)
        {
            Content = new StringContent("Error in call to API function \"files/list_folder\": request body: could not decode input as JSON"),
        };
        var bad = await DropboxClient.ReadErrorAsync("files/list_folder", plain, default);
        Assert.Equal(400, bad.StatusCode);
        Assert.Contains("could not decode", bad.ErrorSummary);
        Assert.False(bad.IsTransient);
    }

    [Fact]
    public async Task StaticTokenSourceAcceptsBareTokensAndBearerStrings()
    {
        Assert.Equal("Bearer abc", await new StaticTokenSource("abc").GetAuthorizationAsync(default));
        Assert.Equal("Bearer abc", await new StaticTokenSource("Bearer abc").GetAuthorizationAsync(default));
        Assert.DoesNotContain("abc", new StaticTokenSource("abc").ToString());
    }

    [Fact]
    public void PkceChallengeIsBase64UrlSha256OfVerifier()
    {
        // RFC 7636 appendix B example.
        Assert.Equal("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", Pkce.ChallengeOf("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));
        var p = Pkce.Create();
        Assert.Equal(128, p.Verifier.Length);
        Assert.Equal(43, p.Challenge.Length);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080", "http://127.0.0.1:8080/")]
    [InlineData("http://127.0.0.1:8080/", "http://127.0.0.1:8080/")]
    [InlineData("http://h:1/prefix", "http://h:1/prefix/")]
    public void EndpointsGetATrailingSlashSoRoutesResolveBelowThem(string given, string expected)
    {
        Assert.Equal(expected, DropboxClient.WithTrailingSlash(new Uri(given))!.ToString());
        using var oauth = new DropboxOAuth(new DropboxOAuthOptions { Endpoint = new Uri(given) });
        Assert.Equal(expected + "oauth2/token", oauth.TokenEndpoint.ToString());
    }
}
