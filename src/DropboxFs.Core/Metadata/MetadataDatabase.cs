using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Metadata;

/// <summary>
/// The rebuildable metadata file (entries, sync state, block-cache index). Corrupt or from a newer
/// build → deleted and recreated empty; the sync layer then re-indexes lazily.
/// </summary>
internal sealed class MetadataDatabase : SqliteDatabase
{
    private static readonly string[] s_migrations =
    [
        """
        CREATE TABLE entries (
            key TEXT NOT NULL PRIMARY KEY,
            parent TEXT NOT NULL,
            name TEXT NOT NULL,
            kind INTEGER NOT NULL,
            id TEXT,
            size INTEGER NOT NULL DEFAULT 0,
            rev TEXT,
            content_hash TEXT,
            server_modified INTEGER NOT NULL DEFAULT 0,
            client_modified INTEGER NOT NULL DEFAULT 0,
            complete INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE INDEX entries_parent ON entries(parent, key);
        CREATE INDEX entries_id ON entries(id) WHERE id IS NOT NULL;
        CREATE TABLE sync_state (
            name TEXT NOT NULL PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE block_files (
            version_key TEXT NOT NULL PRIMARY KEY,
            file_name TEXT NOT NULL,
            size INTEGER NOT NULL,
            ranges BLOB NOT NULL,
            bytes INTEGER NOT NULL,
            last_access INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX block_files_lru ON block_files(last_access);
        """,
        """
        CREATE TABLE deleted_entries (
            key TEXT NOT NULL PRIMARY KEY,
            parent TEXT NOT NULL,
            name TEXT NOT NULL,
            kind INTEGER NOT NULL,
            id TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX deleted_entries_parent ON deleted_entries(parent, key);
        """,
    ];

    private MetadataDatabase(string path, ILogger logger)
        : base(path, durable: false, logger)
    {
    }

    /// <summary>True when the previous file was unreadable and this one starts empty.</summary>
    public bool WasRebuilt { get; private set; }

    protected override IReadOnlyList<string> Migrations => s_migrations;

    public static MetadataDatabase Open(string path, ILogger logger)
    {
        var db = new MetadataDatabase(path, logger);
        try
        {
            db.Initialize();
            return db;
        }
        catch (SqliteException e) when (IsCorruption(e))
        {
            logger.LogWarning("Metadata cache {Path} is unreadable ({Error}); deleting it and re-indexing", path, e.Message);
            db.Dispose();
            DeleteFiles(path);
            db = new MetadataDatabase(path, logger) { WasRebuilt = true };
            db.Initialize();
            return db;
        }
    }
}
