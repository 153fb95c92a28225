using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class AuthAndOAuthTests
{
    private static HttpClient NoRedirects(TestEmulator emu) =>
        new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = emu.BaseUri };

    /// <summary>Runs authorize (auto-approve) + code exchange with PKCE; returns the token response.</summary>
    private static async Task<JsonElement> LoginAsync(TestEmulator emu, HttpClient client, string accessType = "offline")
    {
        var verifier = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)).Replace("+", "").Replace("/", "").Replace("=", "");
        var challenge = Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));
        var redirect = "http://localhost:53682/";
        var authorize = $"oauth2/authorize?client_id=app&response_type=code&code_challenge={challenge}&code_challenge_method=S256&token_access_type={accessType}&state=xyz&redirect_uri={Uri.EscapeDataString(redirect)}&emulator_auto_approve=1";
        using var approve = await client.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Found, approve.StatusCode);
        var location = approve.Headers.Location!;
        Assert.StartsWith(redirect, location.ToString());
        var query = System.Web.HttpUtility.ParseQueryString(location.Query);
        Assert.Equal("xyz", query["state"]);
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = query["code"]!,
            ["client_id"] = "app",
            ["code_verifier"] = verifier,
            ["redirect_uri"] = redirect,
        });
        return await OkAsync(await client.PostAsync("oauth2/token", form));
    }

    private static string Base64Url(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task<HttpResponseMessage> AccountAsync(HttpClient client, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "2/users/get_current_account");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task PkceFlowIssuesWorkingTokensWithUidAndAccountId()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoRedirects(emu);
        var tokens = await LoginAsync(emu, client);
        Assert.Equal("bearer", tokens.GetProperty("token_type").GetString());
        Assert.True(tokens.TryGetProperty("uid", out _));
        Assert.Equal(40, tokens.GetProperty("account_id").GetString()!.Length);
        Assert.True(tokens.TryGetProperty("refresh_token", out _));
        await OkAsync(await AccountAsync(client, tokens.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task OnlineAccessHasNoRefreshToken()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoRedirects(emu);
        var tokens = await LoginAsync(emu, client, "online");
        Assert.False(tokens.TryGetProperty("refresh_token", out _));
    }

    [Fact]
    public async Task WrongVerifierAndReusedCodeAreInvalidGrant()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoRedirects(emu);
        using var approve = await client.GetAsync("oauth2/authorize?client_id=app&response_type=code&code_challenge=abc&code_challenge_method=S256&emulator_auto_approve=1&redirect_uri=http%3A%2F%2Flocalhost%2F");
        var code = System.Web.HttpUtility.ParseQueryString(approve.Headers.Location!.Query)["code"]!;
        var bad = await client.PostAsync($"oauth2/token?grant_type=authorization_code&code={code}&client_id=app&code_verifier=wrong&redirect_uri=http%3A%2F%2Flocalhost%2F", null);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("invalid_grant", JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AuthorizePageWithoutAutoApproveShowsApproveButton()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoRedirects(emu);
        using var page = await client.GetAsync("oauth2/authorize?client_id=app&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%2F");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("Approve", html);
        var approve = await client.PostAsync("oauth2/authorize", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = "app",
            ["response_type"] = "code",
            ["redirect_uri"] = "http://localhost/",
            ["action"] = "approve",
        }));
        Assert.Equal(HttpStatusCode.Found, approve.StatusCode);
        Assert.Contains("code=", approve.Headers.Location!.Query);
    }

    [Fact]
    public async Task ExpiredTokenIs401AndRefreshGivesANewTokenWithoutRotation()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoRedirects(emu);
        var tokens = await LoginAsync(emu, client);
        emu.Control.ExpireAllAccessTokens();
        using var expired = await AccountAsync(client, tokens.GetProperty("access_token").GetString()!);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("application/json", expired.Content.Headers.ContentType?.ToString());
        var error = JsonDocument.Parse(await expired.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("expired_access_token/", error.GetProperty("error_summary").GetString());

        // [js] style: parameters in the query string, JSON content type, empty body.
        var request = new HttpRequestMessage(HttpMethod.Post, $"oauth2/token?grant_type=refresh_token&refresh_token={Uri.EscapeDataString(tokens.GetProperty("refresh_token").GetString()!)}&client_id=app")
        {
            Content = new StringContent("", null, "application/json"),
        };
        var refreshed = await OkAsync(await client.SendAsync(request));
        Assert.False(refreshed.TryGetProperty("refresh_token", out _));
        await OkAsync(await AccountAsync(client, refreshed.GetProperty("access_token").GetString()!));
    }

    [Fact]
    public async Task RevokedTokenIsInvalidAndStaticTokenSurvivesRevoke()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = NoRedirects(emu);
        var token = (await LoginAsync(emu, client)).GetProperty("access_token").GetString()!;
        var revoke = new HttpRequestMessage(HttpMethod.Post, "2/auth/token/revoke");
        revoke.Headers.Authorization = new("Bearer", token);
        using var revoked = await client.SendAsync(revoke);
        Assert.Equal("null", await revoked.Content.ReadAsStringAsync());
        using var after = await AccountAsync(client, token);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains("invalid_access_token", await after.Content.ReadAsStringAsync());
        await OkAsync(await emu.Http.PostAsync("2/auth/token/revoke", null));
        await OkAsync(await emu.Http.PostAsync("2/users/get_current_account", null));
    }

    [Fact]
    public async Task BadAndMissingAuthorization()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = new HttpClient { BaseAddress = emu.BaseUri };
        using var unknown = await AccountAsync(client, "not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.StartsWith("invalid_access_token/", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("error_summary").GetString());
        using var missing = await client.PostAsync("2/users/get_current_account", null);
        await BadRequestAsync(missing, "users/get_current_account", "Authorization");
        var malformed = new HttpRequestMessage(HttpMethod.Post, "2/users/get_current_account");
        malformed.Headers.TryAddWithoutValidation("Authorization", "Bearer");
        await BadRequestAsync(await client.SendAsync(malformed), "users/get_current_account", "Expecting \"Bearer <oauth2-access-token>\"");
    }

    [Fact]
    public async Task TokensIssuedWithAShortLifetimeExpireOnTheInjectedClock()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var emu = await TestEmulator.StartAsync(new() { TimeProvider = clock, AccessTokenLifetime = TimeSpan.FromMinutes(5) });
        using var client = NoRedirects(emu);
        var tokens = await LoginAsync(emu, client);
        Assert.Equal(300, tokens.GetProperty("expires_in").GetInt32());
        var token = tokens.GetProperty("access_token").GetString()!;
        await OkAsync(await AccountAsync(client, token));
        clock.Advance(TimeSpan.FromMinutes(6));
        using var expired = await AccountAsync(client, token);
        Assert.Contains("expired_access_token", await expired.Content.ReadAsStringAsync());
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}

public class OAuthClientCredentialTests
{
    [Fact]
    public async Task CodeExchangeWithBasicClientCredentialsAndNoPkce()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = emu.BaseUri };
        using var approve = await client.GetAsync("oauth2/authorize?client_id=key&response_type=code&emulator_auto_approve=1&redirect_uri=http%3A%2F%2Flocalhost%3A53682%2F");
        var code = System.Web.HttpUtility.ParseQueryString(approve.Headers.Location!.Query)["code"]!;
        // The Go oauth2 library (rclone) sends Basic key:secret and the grant in a form body.
        var request = new HttpRequestMessage(HttpMethod.Post, "oauth2/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = "http://localhost:53682/",
            }),
        };
        request.Headers.Authorization = new("Basic", Convert.ToBase64String("key:secret"u8.ToArray()));
        var tokens = await OkAsync(await client.SendAsync(request));
        Assert.StartsWith("sl.", tokens.GetProperty("access_token").GetString());

        // No secret and no verifier: the client is not authenticated.
        using var approve2 = await client.GetAsync("oauth2/authorize?client_id=key&response_type=code&emulator_auto_approve=1");
        Assert.Equal(System.Net.HttpStatusCode.OK, approve2.StatusCode); // no redirect_uri: the code is shown on the page
        var page = await approve2.Content.ReadAsStringAsync();
        var code2 = page.Split("code=")[1].Split('<')[0].Split('&')[0];
        using var bare = await client.PostAsync($"oauth2/token?grant_type=authorization_code&code={code2}&client_id=key", null);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Contains("invalid_client", await bare.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CorsStyleAuthorizationQueryParameterIsAccepted()
    {
        await using var emu = await TestEmulator.StartAsync();
        using var client = new HttpClient { BaseAddress = emu.BaseUri };
        var content = new StringContent("{\"query\":\"cors\"}");
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("text/plain; charset=dropbox-cors-hack");
        using var response = await client.PostAsync($"2/check/user?authorization={Uri.EscapeDataString("Bearer " + emu.Token)}&reject_cors_preflight=true", content);
        Assert.Equal("cors", (await OkAsync(response)).GetProperty("result").GetString());
    }
}
