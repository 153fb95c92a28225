namespace DropboxFs.Emulator.Storage;

/// <summary>Key/value settings of the database: the epoch baked into cursors.</summary>
internal sealed class MetaTable(EmulatorDatabase db)
{
    public const string Schema = "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n";

    public string? Get(string key) => db.Scalar("SELECT value FROM meta WHERE key=$k", ("$k", key)) as string;

    public void Set(string key, string value) =>
        db.Execute("INSERT INTO meta(key,value) VALUES($k,$v) ON CONFLICT(key) DO UPDATE SET value=$v", ("$k", key), ("$v", value));
}
