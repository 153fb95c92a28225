using DropboxFs.Emulator.Model;

namespace DropboxFs.Emulator.Storage;

/// <summary>
/// The journal: one row per change of a path. Its sequence numbers are what cursors hold; a delta
/// is the latest row per path after a cursor's seq, filtered to the cursor's scope.
/// </summary>
internal sealed class ChangeLogTable(EmulatorDatabase db)
{
    public const string Schema = """
        CREATE TABLE changes(seq INTEGER PRIMARY KEY AUTOINCREMENT, path_lower TEXT NOT NULL, path_display TEXT NOT NULL,
          parent_lower TEXT NOT NULL, kind INTEGER NOT NULL, time INTEGER NOT NULL);
        CREATE INDEX changes_path ON changes(path_lower, seq);

        """;

    public long Append(string pathLower, string pathDisplay, ChangeKind kind, long time)
    {
        db.Execute(
            "INSERT INTO changes(path_lower,path_display,parent_lower,kind,time) VALUES($pl,$pd,$par,$k,$t)",
            ("$pl", pathLower), ("$pd", pathDisplay), ("$par", DbxPath.ParentOf(pathLower)), ("$k", (int)kind), ("$t", time));
        return Convert.ToInt64(db.Scalar("SELECT last_insert_rowid()"), System.Globalization.CultureInfo.InvariantCulture);
    }

    public long MaxSeq() => Convert.ToInt64(db.Scalar("SELECT coalesce(max(seq),0) FROM changes"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The newest change per path after <paramref name="afterSeq"/> within scope, ordered by that change's seq.</summary>
    public List<ChangeRecord> LatestPerPathSince(long afterSeq, string scope, bool recursive, int limit) => db.Query(
        $"""
        SELECT c.seq,c.path_lower,c.path_display,c.kind,c.time FROM changes c
        JOIN (SELECT path_lower, max(seq) m FROM changes WHERE seq>$s AND {ScopeSql(recursive)} GROUP BY path_lower) l ON c.seq=l.m
        ORDER BY c.seq LIMIT $l
        """,
        Read, ("$s", afterSeq), ("$p", scope), ("$l", limit));

    public bool AnySince(long afterSeq, string scope, bool recursive) =>
        db.Scalar($"SELECT 1 FROM changes WHERE seq>$s AND {ScopeSql(recursive)} LIMIT 1", ("$s", afterSeq), ("$p", scope)) != null;

    /// <summary>Paths within scope whose latest change is a deletion (for include_deleted listings).</summary>
    public List<ChangeRecord> DeletedWithin(string scope, bool recursive) => db.Query(
        $"""
        SELECT c.seq,c.path_lower,c.path_display,c.kind,c.time FROM changes c
        JOIN (SELECT path_lower, max(seq) m FROM changes WHERE {ScopeSql(recursive)} GROUP BY path_lower) l ON c.seq=l.m
        WHERE c.kind=0 ORDER BY c.path_lower
        """,
        Read, ("$p", scope));

    public ChangeRecord? Latest(string pathLower) => db.Query(
        "SELECT seq,path_lower,path_display,kind,time FROM changes WHERE path_lower=$p ORDER BY seq DESC LIMIT 1",
        Read, ("$p", pathLower)).FirstOrDefault();

    public void Clear() => db.Execute("DELETE FROM changes");

    // Recursive: the folder itself and its descendants. Non-recursive: direct children only.
    private static string ScopeSql(bool recursive) => recursive
        ? "(path_lower=$p OR (path_lower>$p||'/' AND path_lower<$p||'0'))"
        : "parent_lower=$p";

    private static ChangeRecord Read(Microsoft.Data.Sqlite.SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), (ChangeKind)r.GetInt32(3), r.GetInt64(4));
}
