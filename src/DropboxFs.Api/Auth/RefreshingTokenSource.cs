namespace DropboxFs.Api;

/// <summary>Access token plus refresh token: refreshes 300 s before expiry (as the official SDKs do; a quarter of the
/// lifetime for tokens that live less than 20 minutes, so short-lived tokens are not refreshed on every call) and once
/// after a 401 expired_access_token; saves the refreshed token to the <see cref="TokenStore"/> when one is given.
/// Concurrent callers share one refresh.</summary>
public sealed class RefreshingTokenSource : ITokenSource
{
    private static readonly TimeSpan s_refreshMargin = TimeSpan.FromSeconds(300);

    private readonly DropboxOAuth _oauth;
    private readonly TokenStore? _store;
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private StoredToken _token;
    private TimeSpan _margin = s_refreshMargin;

    /// <summary>Wraps <paramref name="token"/>; <paramref name="oauth"/> performs refreshes.</summary>
    public RefreshingTokenSource(StoredToken token, DropboxOAuth oauth, TokenStore? store = null)
    {
        _token = token;
        _oauth = oauth;
        _store = store;
    }

    /// <summary>The current token (after any refresh).</summary>
    public StoredToken Current => Volatile.Read(ref _token);

    /// <summary>Number of refreshes performed (diagnostics and tests).</summary>
    public int RefreshCount { get; private set; }

    /// <inheritdoc/>
    public async ValueTask<string> GetAuthorizationAsync(CancellationToken ct)
    {
        var token = Current;
        if (token.RefreshToken is not null && token.ExpiresAt is { } expires
            && _oauth.Options.TimeProvider.GetUtcNow() >= expires - _margin)
        {
            await RefreshAsync(token.AccessToken, ct).ConfigureAwait(false);
        }
        return "Bearer " + Current.AccessToken;
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryRefreshAsync(string rejectedAuthorization, CancellationToken ct)
    {
        if (Current.RefreshToken is null)
        {
            return false;
        }
        var rejected = rejectedAuthorization.StartsWith("Bearer ", StringComparison.Ordinal) ? rejectedAuthorization[7..] : rejectedAuthorization;
        await RefreshAsync(rejected, ct).ConfigureAwait(false);
        return Current.AccessToken != rejected;
    }

    private async Task RefreshAsync(string staleAccessToken, CancellationToken ct)
    {
        await _refreshLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var token = Current;
            if (token.AccessToken != staleAccessToken)
            {
                return; // another caller refreshed meanwhile
            }
            var fresh = await _oauth.RefreshAsync(token, ct).ConfigureAwait(false);
            if (fresh.ExpiresAt is { } expiresAt)
            {
                var lifetime = expiresAt - _oauth.Options.TimeProvider.GetUtcNow();
                _margin = lifetime / 4 < s_refreshMargin ? lifetime / 4 : s_refreshMargin;
            }
            fresh = fresh with { Endpoint = token.Endpoint ?? fresh.Endpoint, AccountId = fresh.AccountId ?? token.AccountId };
            Volatile.Write(ref _token, fresh);
            RefreshCount++;
            if (_store is not null)
            {
                await _store.SaveAsync(fresh, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => "RefreshingTokenSource(****)";
}
