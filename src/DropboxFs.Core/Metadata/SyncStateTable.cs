using Microsoft.Data.Sqlite;

namespace DropboxFs.Core.Metadata;

/// <summary>Small named values: the change cursor, the scope it belongs to, timestamps.</summary>
internal sealed class SyncStateTable(SqliteDatabase db)
{
    public const string Cursor = "cursor";
    public const string Scope = "scope";
    public const string CursorTakenAt = "cursor_taken_at";

    public string? Get(string name) => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT value FROM sync_state WHERE name = $n";
        cmd.Parameters.AddWithValue("$n", name);
        return cmd.ExecuteScalar() as string;
    });

    public static void Set(SqliteConnection c, SqliteTransaction tx, string name, string? value)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        if (value is null)
        {
            cmd.CommandText = "DELETE FROM sync_state WHERE name = $n";
        }
        else
        {
            cmd.CommandText = "INSERT INTO sync_state(name, value) VALUES($n, $v) ON CONFLICT(name) DO UPDATE SET value = excluded.value";
            cmd.Parameters.AddWithValue("$v", value);
        }

        cmd.Parameters.AddWithValue("$n", name);
        cmd.ExecuteNonQuery();
    }
}
