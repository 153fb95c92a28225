using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;

namespace DropboxFs.Api;

/// <summary>OAuth2 for Dropbox: authorization code with PKCE (S256) through a loopback redirect listener, the web
/// profile (build the URL, exchange a code passed in), and refresh. Tokens are never logged.</summary>
public sealed partial class DropboxOAuth : IDisposable
{
    private static readonly Uri s_webHost = new("https://www.dropbox.com/");
    private static readonly Uri s_apiHost = new("https://api.dropboxapi.com/");

    private readonly DropboxOAuthOptions _options;
    private readonly HttpClient _http;

    /// <summary>Creates the helper; <paramref name="options"/> null = defaults (DROPBOXFS_CLIENT_ID, real hosts).</summary>
    public DropboxOAuth(DropboxOAuthOptions? options = null)
    {
        _options = options ?? new DropboxOAuthOptions();
        _http = _options.HttpMessageHandler is { } h
            ? new HttpClient(h, disposeHandler: false)
            : new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        _http.Timeout = TimeSpan.FromSeconds(60);
    }

    /// <summary>The options in use.</summary>
    public DropboxOAuthOptions Options => _options;

    /// <summary>GET page where the user approves the app: /oauth2/authorize on the web host (or the endpoint).</summary>
    public Uri AuthorizeEndpoint => new(DropboxClient.WithTrailingSlash(_options.Endpoint) ?? s_webHost, "oauth2/authorize");

    /// <summary>POST /oauth2/token on the api host (or the endpoint).</summary>
    public Uri TokenEndpoint => new(DropboxClient.WithTrailingSlash(_options.Endpoint) ?? s_apiHost, "oauth2/token");

    /// <summary>Builds the authorize URL (web profile and loopback flow). <paramref name="redirectUri"/> null means
    /// Dropbox shows the code for the user to paste.</summary>
    public Uri BuildAuthorizeUri(string? redirectUri, string? state, Pkce? pkce, string tokenAccessType = "offline",
        IReadOnlyDictionary<string, string>? extraParameters = null)
    {
        var q = new List<KeyValuePair<string, string>>
        {
            new("client_id", _options.ClientId),
            new("response_type", "code"),
            new("token_access_type", tokenAccessType),
        };
        if (redirectUri is not null)
        {
            q.Add(new("redirect_uri", redirectUri));
        }
        if (state is not null)
        {
            q.Add(new("state", state));
        }
        if (pkce is not null)
        {
            q.Add(new("code_challenge", pkce.Challenge));
            q.Add(new("code_challenge_method", "S256"));
        }
        if (_options.Scopes is { Count: > 0 } scopes)
        {
            q.Add(new("scope", string.Join(' ', scopes)));
        }
        foreach (var kv in extraParameters ?? new Dictionary<string, string>())
        {
            q.Add(kv);
        }
        var query = string.Join('&', q.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        return new UriBuilder(AuthorizeEndpoint) { Query = query }.Uri;
    }

    /// <summary>Exchanges an authorization code (web profile, or after the loopback redirect).</summary>
    public Task<StoredToken> ExchangeCodeAsync(string code, string? redirectUri, string? codeVerifier, CancellationToken ct = default)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "authorization_code"), new("code", code) };
        if (redirectUri is not null)
        {
            form.Add(new("redirect_uri", redirectUri));
        }
        if (codeVerifier is not null)
        {
            form.Add(new("code_verifier", codeVerifier));
        }
        return PostTokenAsync(form, previous: null, ct);
    }

    /// <summary>Gets a new access token from a refresh token. The refresh token does not rotate; the result keeps it.</summary>
    public Task<StoredToken> RefreshAsync(StoredToken token, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(token.RefreshToken);
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "refresh_token"), new("refresh_token", token.RefreshToken) };
        return PostTokenAsync(form, token, ct);
    }

    private async Task<StoredToken> PostTokenAsync(List<KeyValuePair<string, string>> form, StoredToken? previous, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenEndpoint);
        if (_options.ClientSecret is { } secret)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes(_options.ClientId + ":" + secret));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }
        else
        {
            form.Add(new("client_id", _options.ClientId));
        }
        request.Content = new FormUrlEncodedContent(form);
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            string? error = null, description = null;
            try
            {
                var node = JsonNode.Parse(body);
                error = (string?)node?["error"];
                description = (string?)node?["error_description"];
            }
            catch (System.Text.Json.JsonException)
            {
                description = body;
            }
            throw new DropboxApiException("oauth2/token", (int)response.StatusCode, error, description ?? body);
        }
        var json = JsonNode.Parse(body) ?? throw new InvalidDataException("Empty token response");
        var expiresIn = (long?)json["expires_in"];
        return new StoredToken
        {
            AccessToken = (string?)json["access_token"] ?? throw new InvalidDataException("No access_token in token response"),
            RefreshToken = (string?)json["refresh_token"] ?? previous?.RefreshToken,
            ExpiresAt = expiresIn is { } s ? _options.TimeProvider.GetUtcNow().AddSeconds(s) : null,
            AccountId = (string?)json["account_id"] ?? previous?.AccountId,
            Uid = (string?)json["uid"] ?? previous?.Uid,
            Endpoint = _options.Endpoint?.GetLeftPart(UriPartial.Authority),
            ClientId = _options.ClientId,
        };
    }

    internal static Dictionary<string, string> ParseQuery(string query)
    {
        var parsed = HttpUtility.ParseQueryString(query);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in parsed.AllKeys)
        {
            if (key is not null && parsed[key] is { } v)
            {
                result[key] = v;
            }
        }
        return result;
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}
