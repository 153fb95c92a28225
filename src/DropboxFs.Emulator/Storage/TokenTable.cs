namespace DropboxFs.Emulator.Storage;

/// <summary>A bearer token, refresh token or OAuth code. <see cref="Data"/> holds code bindings as JSON.</summary>
internal sealed record TokenRecord(string Token, string Kind, string ClientId, string? Parent, long? ExpiresAtMs, bool Revoked, string Data);

/// <summary>OAuth-issued credentials. The static dev token is not stored: it always works.</summary>
internal sealed class TokenTable(EmulatorDatabase db)
{
    public const string Access = "access";
    public const string Refresh = "refresh";
    public const string Code = "code";

    public const string Schema = """
        CREATE TABLE tokens(token TEXT PRIMARY KEY, kind TEXT NOT NULL, client_id TEXT NOT NULL, parent TEXT,
          expires_ms INTEGER, revoked INTEGER NOT NULL, data TEXT NOT NULL);
        CREATE INDEX tokens_parent ON tokens(parent);

        """;

    public void Insert(TokenRecord t) => db.Execute(
        "INSERT INTO tokens(token,kind,client_id,parent,expires_ms,revoked,data) VALUES($t,$k,$c,$p,$e,$r,$d)",
        ("$t", t.Token), ("$k", t.Kind), ("$c", t.ClientId), ("$p", t.Parent), ("$e", t.ExpiresAtMs), ("$r", t.Revoked ? 1 : 0), ("$d", t.Data));

    public TokenRecord? Get(string token) => db.Query(
        "SELECT token,kind,client_id,parent,expires_ms,revoked,data FROM tokens WHERE token=$t",
        r => new TokenRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
            r.IsDBNull(4) ? null : r.GetInt64(4), r.GetInt64(5) != 0, r.GetString(6)),
        ("$t", token)).FirstOrDefault();

    public void Revoke(string token) => db.Execute("UPDATE tokens SET revoked=1 WHERE token=$t", ("$t", token));

    /// <summary>Revokes a refresh token and every access token issued from it.</summary>
    public void RevokeFamily(string refreshToken) =>
        db.Execute("UPDATE tokens SET revoked=1 WHERE token=$t OR parent=$t", ("$t", refreshToken));

    public void ExpireAllAccess(long nowMs) =>
        db.Execute("UPDATE tokens SET expires_ms=$n WHERE kind='access' AND (expires_ms IS NULL OR expires_ms>$n)", ("$n", nowMs));

    public void Clear() => db.Execute("DELETE FROM tokens");
}
