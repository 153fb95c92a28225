using DropboxFs.Core.FileSystem;
using Microsoft.Data.Sqlite;

namespace DropboxFs.Core.Metadata;

/// <summary>
/// The entries table: one row per known file or folder, keyed by <see cref="PathKey"/>. Every
/// query is a primary-key point read, a range on the key (subtrees: "key/" up to "key0", since
/// '0' follows '/') or the parent index; nothing scans the table.
/// </summary>
internal sealed class EntryTable(SqliteDatabase db)
{
    private const string Columns = "key, name, kind, id, size, rev, content_hash, server_modified, client_modified, complete";

    public EntryRecord? Get(string key) => db.Read(c => Get(c, null, key));

    public static EntryRecord? Get(SqliteConnection c, SqliteTransaction? tx, string key)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT {Columns} FROM entries WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? ReadRecord(reader) : null;
    }

    /// <summary>Children in key order (stable, so the adapter can page the snapshot by index).</summary>
    public IReadOnlyList<EntryRecord> GetChildren(string parentKey) => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT {Columns} FROM entries WHERE parent = $p ORDER BY key";
        cmd.Parameters.AddWithValue("$p", parentKey);
        using var reader = cmd.ExecuteReader();
        var list = new List<EntryRecord>();
        while (reader.Read())
        {
            list.Add(ReadRecord(reader));
        }

        return list;
    });

    public static List<string> GetChildKeys(SqliteConnection c, SqliteTransaction tx, string parentKey)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT key FROM entries WHERE parent = $p";
        cmd.Parameters.AddWithValue("$p", parentKey);
        return ReadKeys(cmd);
    }

    /// <summary>Keys (other than <paramref name="exceptKey"/>) that hold the Dropbox id.</summary>
    public static List<string> FindKeysById(SqliteConnection c, SqliteTransaction tx, string id, string exceptKey)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT key FROM entries WHERE id = $id AND key <> $k";
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$k", exceptKey);
        return ReadKeys(cmd);
    }

    /// <summary>Rows in the table (for status; a count over the primary key, only on request).</summary>
    public long Count() => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM entries";
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    private static List<string> ReadKeys(SqliteCommand cmd)
    {
        using var reader = cmd.ExecuteReader();
        var list = new List<string>();
        while (reader.Read())
        {
            list.Add(reader.GetString(0));
        }

        return list;
    }

    public static void Upsert(SqliteConnection c, SqliteTransaction tx, EntryRecord e)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"""
            INSERT INTO entries({Columns}, parent) VALUES($k, $name, $kind, $id, $size, $rev, $hash, $sm, $cm, $complete, $parent)
            ON CONFLICT(key) DO UPDATE SET name = excluded.name, kind = excluded.kind, id = excluded.id, size = excluded.size,
                rev = excluded.rev, content_hash = excluded.content_hash, server_modified = excluded.server_modified,
                client_modified = excluded.client_modified, complete = excluded.complete, parent = excluded.parent
            """;
        cmd.Parameters.AddWithValue("$k", e.Key);
        cmd.Parameters.AddWithValue("$parent", e.Key.Length == 0 ? "\u0001" : e.ParentKey); // the account root has no parent
        cmd.Parameters.AddWithValue("$name", e.Name);
        cmd.Parameters.AddWithValue("$kind", (int)e.Kind);
        cmd.Parameters.AddWithValue("$id", (object?)e.Id ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$size", e.Size);
        cmd.Parameters.AddWithValue("$rev", (object?)e.Rev ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$hash", (object?)e.ContentHash ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$sm", e.ServerModified.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$cm", e.ClientModified.ToUnixTimeMilliseconds());
        cmd.Parameters.AddWithValue("$complete", e.Complete ? 1 : 0);
        cmd.ExecuteNonQuery();
    }

    /// <summary>Removes everything strictly below <paramref name="key"/>.</summary>
    public static int DeleteDescendants(SqliteConnection c, SqliteTransaction tx, string key)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "DELETE FROM entries WHERE key > $lo AND key < $hi";
        cmd.Parameters.AddWithValue("$lo", key + "/");
        cmd.Parameters.AddWithValue("$hi", key + "0");
        return cmd.ExecuteNonQuery();
    }

    /// <summary>Re-keys everything strictly below <paramref name="fromKey"/> to below <paramref name="toKey"/> (a rename
    /// made here; display names stay). Rows already below the target are replaced.</summary>
    public static int MoveDescendants(SqliteConnection c, SqliteTransaction tx, string fromKey, string toKey)
    {
        DeleteDescendants(c, tx, toKey);
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE entries SET key = $to || substr(key, $n + 1), parent = $to || substr(parent, $n + 1) WHERE key > $lo AND key < $hi";
        cmd.Parameters.AddWithValue("$to", toKey);
        cmd.Parameters.AddWithValue("$n", fromKey.Length);
        cmd.Parameters.AddWithValue("$lo", fromKey + "/");
        cmd.Parameters.AddWithValue("$hi", fromKey + "0");
        return cmd.ExecuteNonQuery();
    }

    /// <summary>Removes the row and its whole subtree.</summary>
    public static int DeleteSubtree(SqliteConnection c, SqliteTransaction tx, string key)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "DELETE FROM entries WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteNonQuery() + DeleteDescendants(c, tx, key);
    }

    public static void SetComplete(SqliteConnection c, SqliteTransaction tx, string key, bool complete)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE entries SET complete = $c WHERE key = $k";
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$c", complete ? 1 : 0);
        cmd.ExecuteNonQuery();
    }

    /// <summary>After a cursor reset: every folder must be relisted before it is trusted again.</summary>
    public static void MarkAllIncomplete(SqliteConnection c, SqliteTransaction tx)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE entries SET complete = 0 WHERE complete = 1";
        cmd.ExecuteNonQuery();
    }

    public static void DeleteAll(SqliteConnection c, SqliteTransaction tx)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "DELETE FROM entries";
        cmd.ExecuteNonQuery();
    }

    private static EntryRecord ReadRecord(SqliteDataReader r) => new(
        Key: r.GetString(0),
        Name: r.GetString(1),
        Kind: (FsNodeKind)r.GetInt32(2),
        Id: r.IsDBNull(3) ? null : r.GetString(3),
        Size: r.GetInt64(4),
        Rev: r.IsDBNull(5) ? null : r.GetString(5),
        ContentHash: r.IsDBNull(6) ? null : r.GetString(6),
        ServerModified: DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(7)),
        ClientModified: DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(8)),
        Complete: r.GetInt64(9) != 0);
}
