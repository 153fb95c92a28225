namespace DropboxFs.Emulator.Storage;

/// <summary>
/// A shared link bound to a file or folder id (its path is looked up live, so moves keep it), with
/// its settings: expiry (Unix seconds), password, resolved visibility and whether download is allowed.
/// </summary>
internal sealed record SharedLinkRecord(string Url, string Key, string FileId, long Created, long? Expires,
    string? Password = null, string Visibility = "public", bool AllowDownload = true);

internal sealed class SharedLinkTable(EmulatorDatabase db)
{
    public const string Schema = """
        CREATE TABLE shared_links(url TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, file_id TEXT NOT NULL,
          created INTEGER NOT NULL, expires INTEGER);
        CREATE INDEX shared_links_file ON shared_links(file_id);

        """;

    /// <summary>Migration 2: link settings (password, visibility, allow_download).</summary>
    public const string SchemaV2 = """
        ALTER TABLE shared_links ADD COLUMN password TEXT;
        ALTER TABLE shared_links ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';
        ALTER TABLE shared_links ADD COLUMN allow_download INTEGER NOT NULL DEFAULT 1;

        """;

    private const string Columns = "url,key,file_id,created,expires,password,visibility,allow_download";

    public void Insert(SharedLinkRecord l) => db.Execute(
        $"INSERT INTO shared_links({Columns}) VALUES($u,$k,$f,$c,$e,$p,$v,$a)",
        ("$u", l.Url), ("$k", l.Key), ("$f", l.FileId), ("$c", l.Created), ("$e", l.Expires), ("$p", l.Password),
        ("$v", l.Visibility), ("$a", l.AllowDownload ? 1 : 0));

    public SharedLinkRecord? ByFileId(string fileId) => Select("WHERE file_id=$v", fileId).FirstOrDefault();

    public SharedLinkRecord? ByKey(string key) => Select("WHERE key=$v", key).FirstOrDefault();

    public SharedLinkRecord? ByUrl(string url) => Select("WHERE url=$v", url).FirstOrDefault();

    public List<SharedLinkRecord> All() => Select("WHERE 1=1 OR $v IS NULL", null);

    public void Delete(string url) => db.Execute("DELETE FROM shared_links WHERE url=$u", ("$u", url));

    public void Clear() => db.Execute("DELETE FROM shared_links");

    private List<SharedLinkRecord> Select(string where, string? value) => db.Query(
        $"SELECT {Columns} FROM shared_links {where} ORDER BY created",
        r => new SharedLinkRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4),
            r.IsDBNull(5) ? null : r.GetString(5), r.GetString(6), r.GetInt64(7) != 0),
        ("$v", value));
}
