using DropboxFs.Emulator.Model;

namespace DropboxFs.Emulator.Storage;

/// <summary>
/// Open upload sessions. The bytes live in the blob store's session file; this row holds the
/// committed length (sequential) or the received ranges as "offset:length;..." (concurrent).
/// </summary>
internal sealed class UploadSessionTable(EmulatorDatabase db)
{
    public const string Schema = """
        CREATE TABLE upload_sessions(id TEXT PRIMARY KEY, concurrent INTEGER NOT NULL, length INTEGER NOT NULL,
          closed INTEGER NOT NULL, created INTEGER NOT NULL, ranges TEXT NOT NULL);

        """;

    public void Insert(UploadSession s) => db.Execute(
        "INSERT INTO upload_sessions(id,concurrent,length,closed,created,ranges) VALUES($i,$c,$l,$x,$t,$r)",
        ("$i", s.Id), ("$c", s.Concurrent ? 1 : 0), ("$l", s.Length), ("$x", s.Closed ? 1 : 0), ("$t", s.Created), ("$r", s.Ranges));

    public UploadSession? Get(string id) => db.Query(
        "SELECT id,concurrent,length,closed,created,ranges FROM upload_sessions WHERE id=$i",
        r => new UploadSession(r.GetString(0), r.GetInt64(1) != 0, r.GetInt64(2), r.GetInt64(3) != 0, r.GetInt64(4), r.GetString(5)),
        ("$i", id)).FirstOrDefault();

    public void Update(UploadSession s) => db.Execute(
        "UPDATE upload_sessions SET length=$l,closed=$x,ranges=$r WHERE id=$i",
        ("$i", s.Id), ("$l", s.Length), ("$x", s.Closed ? 1 : 0), ("$r", s.Ranges));

    public void Delete(string id) => db.Execute("DELETE FROM upload_sessions WHERE id=$i", ("$i", id));

    public List<string> CreatedBefore(long time) =>
        db.Query("SELECT id FROM upload_sessions WHERE created<$t", r => r.GetString(0), ("$t", time));

    public void Clear() => db.Execute("DELETE FROM upload_sessions");
}
