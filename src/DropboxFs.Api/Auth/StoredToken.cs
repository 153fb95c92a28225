namespace DropboxFs.Api;

/// <summary>What <see cref="TokenStore"/> persists (and what the OAuth exchange returns).</summary>
public sealed record StoredToken
{
    /// <summary>Short-lived access token.</summary>
    public string AccessToken { get; init; } = "";
    /// <summary>Refresh token (offline access); null for online tokens.</summary>
    public string? RefreshToken { get; init; }
    /// <summary>When the access token expires; null = unknown / never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary><c>dbid:…</c> of the linked account.</summary>
    public string? AccountId { get; init; }
    /// <summary>Deprecated numeric uid.</summary>
    public string? Uid { get; init; }
    /// <summary>The endpoint origin the token belongs to (null = real Dropbox).</summary>
    public string? Endpoint { get; init; }
    /// <summary>App key the token was issued to (needed to refresh).</summary>
    public string? ClientId { get; init; }

    /// <summary>Hides secrets.</summary>
    public override string ToString() =>
        $"StoredToken {{ AccountId = {AccountId}, ExpiresAt = {ExpiresAt:O}, Endpoint = {Endpoint}, HasRefresh = {RefreshToken is not null} }}";
}
