using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Storage;

namespace DropboxFs.Emulator.Service;

/// <summary>What an authorization code was bound to at /oauth2/authorize (§2.1).</summary>
internal sealed record CodeBinding(string? RedirectUri, string? Challenge, string? ChallengeMethod, string AccessType, string Scope);

/// <summary>A token-endpoint answer; <see cref="RefreshToken"/> only for offline access.</summary>
internal sealed record IssuedTokens(string AccessToken, long ExpiresIn, string? RefreshToken, string Scope);

internal sealed partial class DropboxState
{
    public const string DefaultScope = "account_info.read files.content.read files.content.write files.metadata.read files.metadata.write sharing.read sharing.write";

    // Codes are single-use and short-lived ([inf] §2.1: a few minutes).
    private static readonly TimeSpan s_codeLifetime = TimeSpan.FromMinutes(10);

    public void ValidateAccessTokenLocked(string token)
    {
        var t = Tokens.Get(token);
        if (t == null || t.Kind != TokenTable.Access || t.Revoked)
        {
            throw Errors.Auth("invalid_access_token");
        }

        if (t.ExpiresAtMs is long exp && exp <= NowMs)
        {
            throw Errors.Auth("expired_access_token");
        }
    }

    public string IssueCodeLocked(string clientId, CodeBinding binding)
    {
        var code = DropboxState.NewOpaque(24);
        Tokens.Insert(new TokenRecord(code, TokenTable.Code, clientId, null, NowMs + (long)s_codeLifetime.TotalMilliseconds, false,
            JsonSerializer.Serialize(binding)));
        return code;
    }

    public IssuedTokens ExchangeCodeLocked(string code, string? clientId, string? clientSecret, string? verifier, string? redirectUri, TimeSpan lifetime)
    {
        var rec = Tokens.Get(code);
        if (rec == null || rec.Kind != TokenTable.Code || rec.Revoked || rec.ExpiresAtMs <= NowMs)
        {
            throw Errors.OAuth("invalid_grant", "code doesn't exist or has expired");
        }

        Tokens.Revoke(code); // single use
        var b = JsonSerializer.Deserialize<CodeBinding>(rec.Data)!;
        if (clientId != null && clientId != rec.ClientId)
        {
            throw Errors.OAuth("invalid_grant", "code was issued to a different client");
        }

        if (b.RedirectUri != null && redirectUri != b.RedirectUri)
        {
            throw Errors.OAuth("invalid_grant", "redirect_uri mismatch");
        }

        if (b.Challenge != null)
        {
            if (verifier == null)
            {
                throw Errors.OAuth("invalid_grant", "code_verifier is required");
            }

            var expected = b.ChallengeMethod == "plain" ? verifier : Base64UrlSha256(verifier);
            if (expected != b.Challenge)
            {
                throw Errors.OAuth("invalid_grant", "invalid code verifier");
            }
        }
        else if (string.IsNullOrEmpty(clientSecret))
        {
            throw Errors.OAuth("invalid_client", "client_secret or code_verifier is required");
        }

        string? refresh = null;
        if (b.AccessType != "online")
        {
            refresh = "rt." + NewOpaque(32);
            Tokens.Insert(new TokenRecord(refresh, TokenTable.Refresh, rec.ClientId, null, null, false, JsonSerializer.Serialize(b.Scope)));
        }

        return IssueAccessLocked(rec.ClientId, refresh, lifetime, b.Scope);
    }

    /// <summary>refresh_token grant: a new access token; the refresh token itself never rotates (§2.2).</summary>
    public IssuedTokens RefreshLocked(string refreshToken, string? clientId, TimeSpan lifetime)
    {
        var rec = Tokens.Get(refreshToken);
        if (rec == null || rec.Kind != TokenTable.Refresh || rec.Revoked)
        {
            throw Errors.OAuth("invalid_grant", "refresh token is invalid or revoked");
        }

        if (clientId != null && clientId != rec.ClientId)
        {
            throw Errors.OAuth("invalid_client", "refresh token was issued to a different client");
        }

        return IssueAccessLocked(rec.ClientId, refreshToken, lifetime, JsonSerializer.Deserialize<string>(rec.Data) ?? DefaultScope);
    }

    /// <summary>auth/token/revoke: the access token, its refresh token and all its siblings (§2.3).</summary>
    public void RevokeLocked(string accessToken)
    {
        var rec = Tokens.Get(accessToken);
        if (rec?.Parent != null)
        {
            Tokens.RevokeFamily(rec.Parent);
        }
        else if (rec != null)
        {
            Tokens.Revoke(accessToken);
        }
    }

    private IssuedTokens IssueAccessLocked(string clientId, string? parent, TimeSpan lifetime, string scope)
    {
        var token = "sl." + NewOpaque(48);
        Tokens.Insert(new TokenRecord(token, TokenTable.Access, clientId, parent, NowMs + (long)lifetime.TotalMilliseconds, false, "{}"));
        return new IssuedTokens(token, (long)lifetime.TotalSeconds, parent, scope);
    }

    public static string Base64UrlSha256(string text) =>
        System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(text)));
}
