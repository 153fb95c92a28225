using DropboxFs.Api;

namespace DropboxFs.Tests.Api;

public sealed class ApiOAuthTests
{
    /// <summary>The "browser": a plain HTTP GET of the authorize URL that follows the emulator's redirect to the
    /// loopback listener. Runs in the background like a real browser would.</summary>
    internal static Task FollowInBackgroundAsync(Uri url, CancellationToken ct)
    {
        _ = Task.Run(async () =>
        {
            using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true });
            using var response = await http.GetAsync(new Uri(url + AutoApprove), ct);
        }, ct);
        return Task.CompletedTask;
    }

    /// <summary>The emulator's approve-without-interaction flag.</summary>
    internal const string AutoApprove = "&emulator_auto_approve=1";

    [Fact]
    public async Task PkceLoopbackFlowEndToEndYieldsWorkingRefreshableTokens()
    {
        await using var h = await ApiHarness.StartAsync();
        using var oauth = h.NewOAuth();
        Uri? shown = null;
        var token = await oauth.AuthorizeWithLoopbackAsync(new LoopbackAuthorizeOptions
        {
            NoBrowser = true,
            ShowUrl = u => shown = u,
            OpenBrowser = FollowInBackgroundAsync,
            Timeout = TimeSpan.FromSeconds(20),
        });
        Assert.NotNull(shown);
        Assert.Contains("code_challenge_method=S256", shown!.Query);
        Assert.Equal(h.Server.BaseUri.GetLeftPart(UriPartial.Authority), shown.GetLeftPart(UriPartial.Authority));
        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        Assert.False(string.IsNullOrEmpty(token.RefreshToken));
        Assert.NotNull(token.ExpiresAt);
        using var client = h.NewClient(new StaticTokenSource(token.AccessToken));
        var account = await client.GetCurrentAccountAsync();
        Assert.Equal(token.AccountId, account.AccountId);

        var refreshed = await oauth.RefreshAsync(token);
        Assert.NotEqual(token.AccessToken, refreshed.AccessToken);
        Assert.Equal(token.RefreshToken, refreshed.RefreshToken);
    }

    [Fact]
    public async Task WebProfileBuildsUrlAndExchangesACodePassedIn()
    {
        await using var h = await ApiHarness.StartAsync();
        using var oauth = h.NewOAuth();
        var pkce = Pkce.Create();
        var url = oauth.BuildAuthorizeUri(redirectUri: "http://localhost:1/cb", state: "s1", pkce,
            extraParameters: new Dictionary<string, string> { ["emulator_auto_approve"] = "1" });
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(url);
        var location = response.Headers.Location!;
        Assert.StartsWith("http://localhost:1/cb", location.ToString());
        var query = System.Web.HttpUtility.ParseQueryString(location.Query);
        Assert.Equal("s1", query["state"]);
        var token = await oauth.ExchangeCodeAsync(query["code"]!, "http://localhost:1/cb", pkce.Verifier);
        Assert.False(string.IsNullOrEmpty(token.AccessToken));
        // The code is single-use, and a wrong verifier is refused.
        var again = await Assert.ThrowsAsync<DropboxApiException>(() => oauth.ExchangeCodeAsync(query["code"]!, "http://localhost:1/cb", pkce.Verifier));
        Assert.Equal(400, again.StatusCode);
    }

    [Fact]
    public async Task WrongPkceVerifierIsRejected()
    {
        await using var h = await ApiHarness.StartAsync();
        using var oauth = h.NewOAuth();
        var url = new Uri(oauth.BuildAuthorizeUri("http://localhost:1/cb", "s", Pkce.Create()) + AutoApprove);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var response = await http.GetAsync(url);
        var code = System.Web.HttpUtility.ParseQueryString(response.Headers.Location!.Query)["code"]!;
        var ex = await Assert.ThrowsAsync<DropboxApiException>(() => oauth.ExchangeCodeAsync(code, "http://localhost:1/cb", Pkce.Create().Verifier));
        Assert.Equal("invalid_grant", ex.TagPath);
    }

    [Fact]
    public async Task UserDenyingAccessEndsTheLoopbackFlowWithAccessDenied()
    {
        await using var h = await ApiHarness.StartAsync();
        using var oauth = h.NewOAuth();
        var ex = await Assert.ThrowsAsync<DropboxApiException>(() => oauth.AuthorizeWithLoopbackAsync(new LoopbackAuthorizeOptions
        {
            Timeout = TimeSpan.FromSeconds(20),
            OpenBrowser = (url, ct) =>
            {
                // The "user" presses Deny on the approval page (a form POST).
                _ = Task.Run(async () =>
                {
                    using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true });
                    using var response = await http.PostAsync(url, new FormUrlEncodedContent([new("action", "deny")]), ct);
                }, ct);
                return Task.CompletedTask;
            },
        }));
        Assert.Equal("access_denied", ex.TagPath);
        Assert.True(ex.IsAuthError);
    }
}
