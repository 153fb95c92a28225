using Microsoft.Data.Sqlite;

namespace DropboxFs.Core.Uploads;

/// <summary>The <c>upload_conflicts</c> table: every commit that did not land on its target, for
/// <c>dropboxfs status</c>. Rows stay until the user clears them; nothing is pruned automatically.</summary>
internal sealed class UploadConflictTable(UploadJournal db)
{
    public List<UploadConflict> All() => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, path, conflict_path, rev, at, reason FROM upload_conflicts ORDER BY id";
        var list = new List<UploadConflict>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            list.Add(new UploadConflict(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4)), r.GetString(5)));
        }

        return list;
    });

    public static void Insert(SqliteConnection c, SqliteTransaction tx, string path, string conflictPath, string rev, DateTimeOffset at, string reason)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "INSERT INTO upload_conflicts(path, conflict_path, rev, at, reason) VALUES($p, $cp, $rev, $at, $reason)";
        cmd.Parameters.AddWithValue("$p", path);
        cmd.Parameters.AddWithValue("$cp", conflictPath);
        cmd.Parameters.AddWithValue("$rev", rev);
        cmd.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$reason", reason);
        cmd.ExecuteNonQuery();
    }
}
