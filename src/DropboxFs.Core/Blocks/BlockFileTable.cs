using DropboxFs.Core.Metadata;

namespace DropboxFs.Core.Blocks;

/// <summary>The block_files table: one row per cached file version (its sparse file, present ranges, LRU stamp).</summary>
internal sealed class BlockFileTable(SqliteDatabase db)
{
    public sealed record Row(string VersionKey, string FileName, long Size, RangeSet Ranges, long Bytes, long LastAccess);

    public Row? Get(string versionKey) => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT file_name, size, ranges, bytes, last_access FROM block_files WHERE version_key = $k";
        cmd.Parameters.AddWithValue("$k", versionKey);
        using var r = cmd.ExecuteReader();
        return r.Read()
            ? new Row(versionKey, r.GetString(0), r.GetInt64(1), RangeSet.Deserialize((byte[])r[2]), r.GetInt64(3), r.GetInt64(4))
            : null;
    });

    public long TotalBytes() => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COALESCE(SUM(bytes), 0) FROM block_files";
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    });

    /// <summary>Oldest rows first, for eviction.</summary>
    public List<(string VersionKey, string FileName, long Bytes)> LeastRecentlyUsed(int limit, int offset) => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT version_key, file_name, bytes FROM block_files ORDER BY last_access LIMIT $l OFFSET $o";
        cmd.Parameters.AddWithValue("$l", limit);
        cmd.Parameters.AddWithValue("$o", offset);
        using var r = cmd.ExecuteReader();
        var list = new List<(string, string, long)>();
        while (r.Read())
        {
            list.Add((r.GetString(0), r.GetString(1), r.GetInt64(2)));
        }

        return list;
    });

    public ValueTask SaveAsync(string versionKey, string fileName, long size, byte[] ranges, long bytes, long lastAccess) =>
        db.WriteAsync((c, tx) =>
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO block_files(version_key, file_name, size, ranges, bytes, last_access) VALUES($k, $f, $s, $r, $b, $a)
                ON CONFLICT(version_key) DO UPDATE SET ranges = excluded.ranges, bytes = excluded.bytes, last_access = excluded.last_access
                """;
            cmd.Parameters.AddWithValue("$k", versionKey);
            cmd.Parameters.AddWithValue("$f", fileName);
            cmd.Parameters.AddWithValue("$s", size);
            cmd.Parameters.AddWithValue("$r", ranges);
            cmd.Parameters.AddWithValue("$b", bytes);
            cmd.Parameters.AddWithValue("$a", lastAccess);
            cmd.ExecuteNonQuery();
        });

    public ValueTask DeleteAsync(string versionKey) =>
        db.WriteAsync((c, tx) =>
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM block_files WHERE version_key = $k";
            cmd.Parameters.AddWithValue("$k", versionKey);
            cmd.ExecuteNonQuery();
        });

    public ValueTask DeleteAllAsync() =>
        db.WriteAsync((c, tx) =>
        {
            using var cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "DELETE FROM block_files";
            cmd.ExecuteNonQuery();
        });
}
