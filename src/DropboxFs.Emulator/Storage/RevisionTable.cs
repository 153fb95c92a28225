using DropboxFs.Emulator.Model;

namespace DropboxFs.Emulator.Storage;

/// <summary>Every file revision ever committed, findable by rev, by path and by file id (newest first).</summary>
internal sealed class RevisionTable(EmulatorDatabase db)
{
    public const string Schema = """
        CREATE TABLE revisions(rev TEXT PRIMARY KEY, file_id TEXT NOT NULL, path_lower TEXT NOT NULL,
          path_display TEXT NOT NULL, size INTEGER NOT NULL, content_hash TEXT NOT NULL,
          client_modified INTEGER NOT NULL, server_modified INTEGER NOT NULL);
        CREATE INDEX revisions_path ON revisions(path_lower);
        CREATE INDEX revisions_file ON revisions(file_id);

        """;

    private const string Columns = "file_id,path_lower,path_display,0,rev,size,content_hash,client_modified,server_modified";

    public void Add(Entry file) => db.Execute(
        "INSERT OR IGNORE INTO revisions(rev,file_id,path_lower,path_display,size,content_hash,client_modified,server_modified) VALUES($r,$i,$pl,$pd,$s,$h,$cm,$sm)",
        ("$r", file.Rev), ("$i", file.Id), ("$pl", file.PathLower), ("$pd", file.PathDisplay), ("$s", file.Size),
        ("$h", file.ContentHash), ("$cm", file.ClientModified), ("$sm", file.ServerModified));

    public Entry? Get(string rev) =>
        db.Query($"SELECT {Columns} FROM revisions WHERE rev=$r", EntryTable.Read, ("$r", rev)).FirstOrDefault();

    public List<Entry> ByPath(string pathLower) =>
        db.Query($"SELECT {Columns} FROM revisions WHERE path_lower=$p ORDER BY rowid DESC", EntryTable.Read, ("$p", pathLower));

    public List<Entry> ById(string fileId) =>
        db.Query($"SELECT {Columns} FROM revisions WHERE file_id=$i ORDER BY rowid DESC", EntryTable.Read, ("$i", fileId));

    public void Clear() => db.Execute("DELETE FROM revisions");
}
