namespace DropboxFs.Emulator.Storage;

/// <summary>A shared link bound to a file or folder id; its path is looked up live so moves keep it.</summary>
internal sealed record SharedLinkRecord(string Url, string Key, string FileId, long Created, long? Expires);

internal sealed class SharedLinkTable(EmulatorDatabase db)
{
    public const string Schema = """
        CREATE TABLE shared_links(url TEXT PRIMARY KEY, key TEXT NOT NULL UNIQUE, file_id TEXT NOT NULL,
          created INTEGER NOT NULL, expires INTEGER);
        CREATE INDEX shared_links_file ON shared_links(file_id);

        """;

    public void Insert(SharedLinkRecord l) => db.Execute(
        "INSERT INTO shared_links(url,key,file_id,created,expires) VALUES($u,$k,$f,$c,$e)",
        ("$u", l.Url), ("$k", l.Key), ("$f", l.FileId), ("$c", l.Created), ("$e", l.Expires));

    public SharedLinkRecord? ByFileId(string fileId) => Select("WHERE file_id=$v", fileId).FirstOrDefault();

    public SharedLinkRecord? ByKey(string key) => Select("WHERE key=$v", key).FirstOrDefault();

    public SharedLinkRecord? ByUrl(string url) => Select("WHERE url=$v", url).FirstOrDefault();

    public List<SharedLinkRecord> All() => Select("WHERE 1=1 OR $v IS NULL", null);

    public void Delete(string url) => db.Execute("DELETE FROM shared_links WHERE url=$u", ("$u", url));

    public void Clear() => db.Execute("DELETE FROM shared_links");

    private List<SharedLinkRecord> Select(string where, string? value) => db.Query(
        $"SELECT url,key,file_id,created,expires FROM shared_links {where} ORDER BY created",
        r => new SharedLinkRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4)),
        ("$v", value));
}
