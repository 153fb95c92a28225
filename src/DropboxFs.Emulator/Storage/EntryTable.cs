using DropboxFs.Emulator.Model;
using Microsoft.Data.Sqlite;

namespace DropboxFs.Emulator.Storage;

/// <summary>
/// The live namespace: one row per file or folder, keyed by id, unique by lower-case path.
/// Descendants of P are the rows with P + "/" &lt; path_lower &lt; P + "0" ('0' follows '/'), which
/// uses the path index and needs no LIKE escaping.
/// </summary>
internal sealed class EntryTable(EmulatorDatabase db)
{
    public const string Schema = """
        CREATE TABLE entries(id TEXT PRIMARY KEY, path_lower TEXT NOT NULL UNIQUE, path_display TEXT NOT NULL,
          parent_lower TEXT NOT NULL, is_folder INTEGER NOT NULL, rev TEXT, size INTEGER NOT NULL,
          content_hash TEXT, client_modified INTEGER NOT NULL, server_modified INTEGER NOT NULL);
        CREATE INDEX entries_parent ON entries(parent_lower, path_lower);

        """;

    private const string Columns = "id,path_lower,path_display,is_folder,rev,size,content_hash,client_modified,server_modified";

    public Entry? GetByPath(string pathLower) =>
        db.Query($"SELECT {Columns} FROM entries WHERE path_lower=$p", Read, ("$p", pathLower)).FirstOrDefault();

    public Entry? GetById(string id) =>
        db.Query($"SELECT {Columns} FROM entries WHERE id=$i", Read, ("$i", id)).FirstOrDefault();

    public void Insert(Entry e) => db.Execute(
        $"INSERT INTO entries({Columns},parent_lower) VALUES($i,$pl,$pd,$f,$r,$s,$h,$cm,$sm,$par)", Args(e));

    public void Update(Entry e) => db.Execute(
        "UPDATE entries SET path_lower=$pl,path_display=$pd,parent_lower=$par,is_folder=$f,rev=$r,size=$s,content_hash=$h,client_modified=$cm,server_modified=$sm WHERE id=$i",
        Args(e));

    /// <summary>Deletes the row at <paramref name="pathLower"/> and everything below it.</summary>
    public void DeleteSubtree(string pathLower) => db.Execute(
        "DELETE FROM entries WHERE path_lower=$p OR (path_lower>$p||'/' AND path_lower<$p||'0')", ("$p", pathLower));

    /// <summary>Children of a folder in path order, after <paramref name="afterKey"/>.</summary>
    public List<Entry> Children(string parentLower, string afterKey, int limit) => db.Query(
        $"SELECT {Columns} FROM entries WHERE parent_lower=$p AND path_lower>$k ORDER BY path_lower LIMIT $l",
        Read, ("$p", parentLower), ("$k", afterKey), ("$l", limit));

    /// <summary>All descendants in path order (so parents precede children), after <paramref name="afterKey"/>.</summary>
    public List<Entry> Descendants(string pathLower, string afterKey, int limit) => db.Query(
        $"SELECT {Columns} FROM entries WHERE path_lower>max($p||'/',$k) AND path_lower<$p||'0' ORDER BY path_lower LIMIT $l",
        Read, ("$p", pathLower), ("$k", afterKey), ("$l", limit));

    public List<Entry> AllDescendants(string pathLower) => Descendants(pathLower, "", int.MaxValue);

    /// <summary>Re-roots every descendant of <paramref name="oldLower"/> under the new path.</summary>
    public void MoveDescendants(string oldLower, string newLower, string newDisplay) => db.Execute(
        """
        UPDATE entries SET path_lower=$nl||substr(path_lower,length($ol)+1),
          path_display=$nd||substr(path_display,length($ol)+1),
          parent_lower=$nl||substr(parent_lower,length($ol)+1)
        WHERE path_lower>$ol||'/' AND path_lower<$ol||'0'
        """,
        ("$ol", oldLower), ("$nl", newLower), ("$nd", newDisplay));

    public long TotalFileBytes() => Convert.ToInt64(db.Scalar("SELECT coalesce(sum(size),0) FROM entries WHERE is_folder=0"), System.Globalization.CultureInfo.InvariantCulture);

    public List<Entry> All() => db.Query($"SELECT {Columns} FROM entries ORDER BY path_lower", Read);

    public void Clear() => db.Execute("DELETE FROM entries");

    internal static Entry Read(SqliteDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3) != 0, r.IsDBNull(4) ? null : r.GetString(4),
        r.GetInt64(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetInt64(7), r.GetInt64(8));

    private static (string, object?)[] Args(Entry e) =>
    [
        ("$i", e.Id), ("$pl", e.PathLower), ("$pd", e.PathDisplay), ("$f", e.IsFolder ? 1 : 0), ("$r", e.Rev),
        ("$s", e.Size), ("$h", e.ContentHash), ("$cm", e.ClientModified), ("$sm", e.ServerModified), ("$par", e.ParentLower),
    ];
}
