namespace DropboxFs.Api;

/// <summary>Supplies the Authorization header value for user-auth routes.</summary>
public interface ITokenSource
{
    /// <summary>The full header value, e.g. "Bearer sl.abc". May refresh first when the token is about to expire.</summary>
    ValueTask<string> GetAuthorizationAsync(CancellationToken ct);

    /// <summary>Called once after a 401 expired_access_token answered a request sent with
    /// <paramref name="rejectedAuthorization"/>. Returns true when a different token is now available
    /// (the client then repeats the request once).</summary>
    ValueTask<bool> TryRefreshAsync(string rejectedAuthorization, CancellationToken ct);
}

/// <summary>A fixed token: a bare access token, or an externally supplied "Bearer …" authorization string.</summary>
public sealed class StaticTokenSource : ITokenSource
{
    private readonly string _authorization;

    /// <summary>Accepts "sl.xxx" or "Bearer sl.xxx".</summary>
    public StaticTokenSource(string tokenOrAuthorization)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tokenOrAuthorization);
        var t = tokenOrAuthorization.Trim();
        _authorization = t.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? "Bearer " + t[7..].Trim() : "Bearer " + t;
    }

    /// <inheritdoc/>
    public ValueTask<string> GetAuthorizationAsync(CancellationToken ct) => ValueTask.FromResult(_authorization);

    /// <inheritdoc/>
    public ValueTask<bool> TryRefreshAsync(string rejectedAuthorization, CancellationToken ct) => ValueTask.FromResult(false);

    /// <inheritdoc/>
    public override string ToString() => "StaticTokenSource(****)";
}
