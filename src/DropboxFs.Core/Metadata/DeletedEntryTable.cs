using DropboxFs.Core.FileSystem;
using Microsoft.Data.Sqlite;

namespace DropboxFs.Core.Metadata;

/// <summary>A row of <c>deleted_entries</c>: what was at a path before it was deleted or moved away.</summary>
internal sealed record DeletedEntry(string Key, string Name, FsNodeKind Kind, string Id);

/// <summary>
/// Paths whose entry was deleted (or moved away) while mounted, with the Dropbox id they held, so
/// the revision views can still find a deleted file's history by its old path. Written in the same
/// transaction as the deletion (<see cref="Sync.ChangeApplier"/>); a live row at the same key wins.
/// Rows are never pruned: one small row per deleted entry the mount has seen (rebuildable store).
/// </summary>
internal sealed class DeletedEntryTable(SqliteDatabase db)
{
    private const string Columns = "key, name, kind, id";

    /// <summary>Copies the row at <paramref name="key"/> and its subtree before they are deleted (those with a Dropbox id:
    /// a file that never reached the server has no history).</summary>
    public static void RecordSubtree(SqliteConnection c, SqliteTransaction tx, string key)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = """
            INSERT OR REPLACE INTO deleted_entries(key, parent, name, kind, id)
            SELECT key, parent, name, kind, id FROM entries
            WHERE (key = $k OR (key > $lo AND key < $hi)) AND id IS NOT NULL AND id NOT LIKE 'local:%'
            """;
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$lo", key + "/");
        cmd.Parameters.AddWithValue("$hi", key + "0");
        cmd.ExecuteNonQuery();
    }

    public DeletedEntry? Get(string key) => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM deleted_entries WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return ReadAll(cmd).FirstOrDefault();
    });

    /// <summary>Deleted children of a folder key, in key order (live rows at the same keys are not filtered here).</summary>
    public IReadOnlyList<DeletedEntry> GetChildren(string parentKey) => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM deleted_entries WHERE parent = $p ORDER BY key";
        cmd.Parameters.AddWithValue("$p", parentKey);
        return ReadAll(cmd);
    });

    private static List<DeletedEntry> ReadAll(SqliteCommand cmd)
    {
        using var reader = cmd.ExecuteReader();
        var list = new List<DeletedEntry>();
        while (reader.Read())
        {
            list.Add(new DeletedEntry(reader.GetString(0), reader.GetString(1), (FsNodeKind)reader.GetInt32(2), reader.GetString(3)));
        }

        return list;
    }
}
