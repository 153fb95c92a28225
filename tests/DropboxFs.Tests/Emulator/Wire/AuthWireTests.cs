using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using static DropboxFs.Tests.Emulator.Wire.WireRequests;

namespace DropboxFs.Tests.Emulator.Wire;

/// <summary>OAuth tokens on the wire: expiry, revocation and the 401 shapes (reference §1.8, §2).</summary>
public sealed class AuthWireTests(WireServer wire) : IClassFixture<WireServer>
{
    // The emulator's non-interactive approval switch (src/DropboxFs.Emulator/README.md).
    internal const string AutoApproveQuery = "emulator_auto_approve=1";
    private const string ClientId = "wiretestsapp";
    private const string RedirectUri = "http://127.0.0.1:53682/";

    private readonly HttpClient _http = wire.Http;

    [Fact]
    public async Task ExpiredAccessTokenIs401ExpiredAccessTokenWhileTheStaticTokenStillWorks()
    {
        var token = await GetOAuthTokenAsync();
        using var before = await _http.SendAsync(Rpc("users/get_space_usage", null, token));
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        wire.Server.Control.ExpireAllAccessTokens();

        using var expired = await _http.SendAsync(Rpc("users/get_space_usage", null, token));
        await AssertAuthErrorAsync(expired, "expired_access_token");
        using var download = await _http.SendAsync(Content("files/download", Json(new { path = "/x" }), null, token));
        await AssertAuthErrorAsync(download, "expired_access_token");
        using var staticToken = await _http.SendAsync(Rpc("users/get_space_usage", null, wire.Token));
        Assert.Equal(HttpStatusCode.OK, staticToken.StatusCode);
    }

    [Fact]
    public async Task TokenRevokeAnswersNullThenTheTokenIsInvalid()
    {
        var token = await GetOAuthTokenAsync();
        using var revoke = await _http.SendAsync(Rpc("auth/token/revoke", null, token));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        AssertExactJsonContentType(revoke);
        Assert.Equal("null", await revoke.Content.ReadAsStringAsync());
        using var after = await _http.SendAsync(Rpc("users/get_current_account", null, token));
        await AssertAuthErrorAsync(after, "invalid_access_token");
    }

    [Fact]
    public async Task TokenEndpointErrorsAreRfc6749JsonNot500()
    {
        using var response = await _http.PostAsync(
            "oauth2/token",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = "nope", ["client_id"] = ClientId, ["code_verifier"] = new string('v', 64) }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());

        using var unsupported = await _http.PostAsync("oauth2/token?grant_type=password&client_id=x", null);
        Assert.Equal(HttpStatusCode.BadRequest, unsupported.StatusCode);
        Assert.Equal("unsupported_grant_type", (await ReadJsonAsync(unsupported)).GetProperty("error").GetString());
    }

    /// <summary>The PKCE code flow as an app performs it: authorize (auto-approved), then the form-encoded exchange.</summary>
    private async Task<string> GetOAuthTokenAsync()
    {
        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var challenge = Convert.ToBase64String(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var authorize = $"oauth2/authorize?response_type=code&client_id={ClientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}"
            + $"&token_access_type=offline&code_challenge={challenge}&code_challenge_method=S256&state=s1&{AutoApproveQuery}";
        using var redirect = await _http.GetAsync(authorize);
        Assert.True(redirect.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther, $"authorize gave {(int)redirect.StatusCode}");
        var location = redirect.Headers.Location!;
        Assert.StartsWith(RedirectUri, location.ToString(), StringComparison.Ordinal);
        var query = System.Web.HttpUtility.ParseQueryString(location.Query);
        Assert.Equal("s1", query["state"]);

        using var exchange = await _http.PostAsync("oauth2/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = query["code"]!,
            ["client_id"] = ClientId,
            ["code_verifier"] = verifier,
            ["redirect_uri"] = RedirectUri,
        }));
        var text = await exchange.Content.ReadAsStringAsync();
        Assert.True(exchange.StatusCode == HttpStatusCode.OK, text);
        AssertExactJsonContentType(exchange);
        using var doc = JsonDocument.Parse(text);
        Assert.Equal("bearer", doc.RootElement.GetProperty("token_type").GetString());
        Assert.True(doc.RootElement.TryGetProperty("uid", out _), "uid is required by the Python SDK");
        return doc.RootElement.GetProperty("access_token").GetString()!;
    }
}
