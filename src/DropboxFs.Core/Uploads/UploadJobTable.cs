using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DropboxFs.Core.Uploads;

/// <summary>The <c>upload_jobs</c> table: one row per pending upload. Reads use a pooled connection;
/// writes take (connection, transaction) so callers group several into one local transaction.</summary>
internal sealed class UploadJobTable(UploadJournal db)
{
    private const string Columns =
        "id, path, path_key, generation, state, base_rev, base_hash, source_rev, source_length, size, ranges, staging, " +
        "client_modified, session_id, session_offset, tries, last_error, no_space, due_at, content_hash, created_at";

    public UploadJob? Get(long id) => db.Read(c => Query(c, null, "WHERE id = $id", ("$id", id)).FirstOrDefault());

    /// <summary>Every row, oldest first (jobs of one path run in this order).</summary>
    public List<UploadJob> All() => db.Read(c => Query(c, null, "ORDER BY id"));

    public static List<UploadJob> All(SqliteConnection c, SqliteTransaction tx) => Query(c, tx, "ORDER BY id");

    /// <summary>The rows of one file, oldest first (index <c>upload_jobs_path</c>; getattr calls this).</summary>
    public List<UploadJob> ForKey(string pathKey) =>
        db.Read(c => Query(c, null, "WHERE path_key = $key ORDER BY id", ("$key", pathKey)));

    /// <summary>True when some row failed with insufficient_space.</summary>
    public bool AnyNoSpace() => db.Read(c =>
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT EXISTS(SELECT 1 FROM upload_jobs WHERE state = {(int)UploadState.Failed} AND no_space = 1)";
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture) != 0;
    });

    public static UploadJob? NewestForKey(SqliteConnection c, SqliteTransaction tx, string pathKey) =>
        Query(c, tx, "WHERE path_key = $key ORDER BY id DESC LIMIT 1", ("$key", pathKey)).FirstOrDefault();

    public static UploadJob? Get(SqliteConnection c, SqliteTransaction tx, long id) =>
        Query(c, tx, "WHERE id = $id", ("$id", id)).FirstOrDefault();

    public static long Insert(SqliteConnection c, SqliteTransaction tx, UploadJob job)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText =
            "INSERT INTO upload_jobs(path, path_key, generation, state, base_rev, base_hash, source_rev, source_length, size, ranges, staging, " +
            "client_modified, session_id, session_offset, tries, last_error, no_space, due_at, content_hash, created_at) VALUES(" +
            "$path, $key, $gen, $state, $base, $bhash, $src, $srclen, $size, $ranges, $staging, $cm, $sid, $soff, $tries, $err, $nospace, $due, $hash, $created);" +
            "SELECT last_insert_rowid();";
        Bind(cmd, job);
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Overwrites every mutable column of row <c>job.Id</c> except the session (see
    /// <see cref="UpdateSession"/>, written by the fragment pump concurrently); false when the row is gone.</summary>
    public static bool Update(SqliteConnection c, SqliteTransaction tx, UploadJob job)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText =
            "UPDATE upload_jobs SET path=$path, path_key=$key, generation=$gen, state=$state, base_rev=$base, base_hash=$bhash, source_rev=$src, " +
            "source_length=$srclen, size=$size, ranges=$ranges, staging=$staging, client_modified=$cm, " +
            "tries=$tries, last_error=$err, no_space=$nospace, due_at=$due, content_hash=$hash WHERE id=$id";
        Bind(cmd, job);
        cmd.Parameters.AddWithValue("$id", job.Id);
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <summary>Saves the session position after an acknowledged fragment (null id = no session).</summary>
    public static bool UpdateSession(SqliteConnection c, SqliteTransaction tx, long id, string? sessionId, long offset)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE upload_jobs SET session_id = $sid, session_offset = $soff WHERE id = $id";
        cmd.Parameters.AddWithValue("$sid", (object?)sessionId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$soff", offset);
        cmd.Parameters.AddWithValue("$id", id);
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <summary>Saves a writer's content fields only, so a concurrent rebase or retarget is not undone.</summary>
    public static bool UpdateContent(SqliteConnection c, SqliteTransaction tx, long id, UploadState state, long size, long sourceLength,
        byte[] ranges, DateTimeOffset? clientModified, long dueAt)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE upload_jobs SET state = $state, size = $size, source_length = $srclen, ranges = $ranges, " +
            "client_modified = $cm, due_at = $due WHERE id = $id";
        cmd.Parameters.AddWithValue("$state", (int)state);
        cmd.Parameters.AddWithValue("$size", size);
        cmd.Parameters.AddWithValue("$srclen", sourceLength);
        cmd.Parameters.AddWithValue("$ranges", ranges);
        cmd.Parameters.AddWithValue("$cm", clientModified is { } m ? m.ToUnixTimeMilliseconds() : DBNull.Value);
        cmd.Parameters.AddWithValue("$due", dueAt);
        cmd.Parameters.AddWithValue("$id", id);
        return cmd.ExecuteNonQuery() == 1;
    }

    public static bool Delete(SqliteConnection c, SqliteTransaction tx, long id)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "DELETE FROM upload_jobs WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        return cmd.ExecuteNonQuery() == 1;
    }

    /// <summary>After a commit at <paramref name="pathKey"/> produced <paramref name="rev"/>, later jobs of the
    /// same file replace exactly that rev (a job never conflicts with our own previous upload).</summary>
    public static void Rebase(SqliteConnection c, SqliteTransaction tx, string pathKey, long afterId, string rev)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE upload_jobs SET base_rev = $rev, base_hash = NULL WHERE path_key = $key AND id > $id";
        cmd.Parameters.AddWithValue("$rev", rev);
        cmd.Parameters.AddWithValue("$key", pathKey);
        cmd.Parameters.AddWithValue("$id", afterId);
        cmd.ExecuteNonQuery();
    }

    private static void Bind(SqliteCommand cmd, UploadJob job)
    {
        cmd.Parameters.AddWithValue("$path", job.Path);
        cmd.Parameters.AddWithValue("$key", job.PathKey);
        cmd.Parameters.AddWithValue("$gen", job.Generation);
        cmd.Parameters.AddWithValue("$state", (int)job.State);
        cmd.Parameters.AddWithValue("$base", (object?)job.BaseRev ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$bhash", (object?)job.BaseHash ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$src", (object?)job.SourceRev ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$srclen", job.SourceLength);
        cmd.Parameters.AddWithValue("$size", job.Size);
        cmd.Parameters.AddWithValue("$ranges", job.Ranges);
        cmd.Parameters.AddWithValue("$staging", job.Staging);
        cmd.Parameters.AddWithValue("$cm", job.ClientModified is { } m ? m.ToUnixTimeMilliseconds() : DBNull.Value);
        cmd.Parameters.AddWithValue("$sid", (object?)job.SessionId ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$soff", job.SessionOffset);
        cmd.Parameters.AddWithValue("$tries", job.Tries);
        cmd.Parameters.AddWithValue("$err", (object?)job.LastError ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$nospace", job.NoSpace ? 1 : 0);
        cmd.Parameters.AddWithValue("$due", job.DueAt);
        cmd.Parameters.AddWithValue("$hash", (object?)job.ContentHash ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$created", job.CreatedAt);
    }

    private static List<UploadJob> Query(SqliteConnection c, SqliteTransaction? tx, string where, params (string Name, object Value)[] args)
    {
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = $"SELECT {Columns} FROM upload_jobs {where}";
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        var jobs = new List<UploadJob>();
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            jobs.Add(new UploadJob
            {
                Id = r.GetInt64(0),
                Path = r.GetString(1),
                PathKey = r.GetString(2),
                Generation = r.GetInt32(3),
                State = (UploadState)r.GetInt32(4),
                BaseRev = r.IsDBNull(5) ? null : r.GetString(5),
                BaseHash = r.IsDBNull(6) ? null : r.GetString(6),
                SourceRev = r.IsDBNull(7) ? null : r.GetString(7),
                SourceLength = r.GetInt64(8),
                Size = r.GetInt64(9),
                Ranges = (byte[])r.GetValue(10),
                Staging = r.GetString(11),
                ClientModified = r.IsDBNull(12) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(12)),
                SessionId = r.IsDBNull(13) ? null : r.GetString(13),
                SessionOffset = r.GetInt64(14),
                Tries = r.GetInt32(15),
                LastError = r.IsDBNull(16) ? null : r.GetString(16),
                NoSpace = r.GetInt32(17) != 0,
                DueAt = r.GetInt64(18),
                ContentHash = r.IsDBNull(19) ? null : r.GetString(19),
                CreatedAt = r.GetInt64(20),
            });
        }

        return jobs;
    }
}
