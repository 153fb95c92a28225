using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Uploads;

/// <summary>
/// <c>&lt;state-dir&gt;/uploads.db</c>: user data, so <c>synchronous=FULL</c> (every commit is fsynced
/// before it returns) and never deleted or rebuilt automatically — an unreadable file throws and the
/// user decides. WAL (from the shared base): with FULL, a committed transaction is in the fsynced WAL,
/// which is as durable as DELETE mode and lets status readers run beside the writer.
/// </summary>
internal sealed class UploadJournal : SqliteDatabase
{
    private static readonly string[] s_migrations =
    [
        """
        CREATE TABLE upload_jobs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL,
            path_key TEXT NOT NULL,
            generation INTEGER NOT NULL DEFAULT 1,
            state INTEGER NOT NULL,
            base_rev TEXT,
            base_hash TEXT,
            source_rev TEXT,
            source_length INTEGER NOT NULL DEFAULT 0,
            size INTEGER NOT NULL DEFAULT 0,
            ranges BLOB NOT NULL,
            staging TEXT NOT NULL,
            client_modified INTEGER,
            session_id TEXT,
            session_offset INTEGER NOT NULL DEFAULT 0,
            tries INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            no_space INTEGER NOT NULL DEFAULT 0,
            due_at INTEGER NOT NULL DEFAULT 0,
            content_hash TEXT,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX upload_jobs_path ON upload_jobs(path_key, id);
        CREATE TABLE upload_conflicts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            path TEXT NOT NULL,
            conflict_path TEXT NOT NULL,
            rev TEXT NOT NULL,
            at INTEGER NOT NULL,
            reason TEXT NOT NULL
        );
        """,
    ];

    private UploadJournal(string path, ILogger logger)
        : base(path, durable: true, logger)
    {
        Jobs = new UploadJobTable(this);
        Conflicts = new UploadConflictTable(this);
    }

    public UploadJobTable Jobs { get; }

    public UploadConflictTable Conflicts { get; }

    protected override IReadOnlyList<string> Migrations => s_migrations;

    /// <summary>Opens (or creates) the journal. Corruption is NOT repaired: the file holds user data.</summary>
    public static UploadJournal Open(string path, ILogger logger)
    {
        var journal = new UploadJournal(path, logger);
        try
        {
            journal.Initialize();
            return journal;
        }
        catch
        {
            journal.Dispose();
            throw;
        }
    }
}
