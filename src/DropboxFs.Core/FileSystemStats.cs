namespace DropboxFs.Core;

/// <summary>A snapshot for <c>dropboxfs status</c>.</summary>
public sealed record FileSystemStats
{
    /// <summary>When the current change cursor was taken (first mount or last reset).</summary>
    public DateTimeOffset? CursorTakenAt { get; init; }

    /// <summary>How long ago the cursor was taken, at the time of the snapshot.</summary>
    public TimeSpan? CursorAge { get; init; }

    /// <summary>Rows (files and folders) in the metadata store.</summary>
    public long MetadataEntries { get; init; }

    /// <summary>When the last non-empty page of changes was applied.</summary>
    public DateTimeOffset? LastChangeAppliedAt { get; init; }

    public long ChangesApplied { get; init; }

    public long CursorResets { get; init; }

    public bool SyncRunning { get; init; }

    /// <summary>Failures the change-feed loop recovered from (logged, retried with back-off).</summary>
    public long SyncErrors { get; init; }

    public long FolderListings { get; init; }

    public long CacheUsedBytes { get; init; }

    public long CacheCapacityBytes { get; init; }

    public long CacheHits { get; init; }

    public long CacheMisses { get; init; }

    public long CacheEvictions { get; init; }

    /// <summary>Hits / (hits + misses) over reads since mount; 0 before the first read.</summary>
    public double CacheHitRate => CacheHits + CacheMisses == 0 ? 0 : (double)CacheHits / (CacheHits + CacheMisses);

    public int LiveNodes { get; init; }

    public int OpenHandles { get; init; }

    /// <summary>API calls made since mount, per route (e.g. "files/list_folder").</summary>
    public IReadOnlyDictionary<string, long> ApiCalls { get; init; } = new Dictionary<string, long>();
}

/// <summary>Progress of indexing work: a folder listing (<see cref="What"/> = its path) or catching up on changes.</summary>
/// <param name="What">The folder being listed ("/" for the root), or "changes".</param>
/// <param name="Entries">Entries read so far.</param>
/// <param name="Completed">True on the last report for this piece of work.</param>
public readonly record struct IndexProgress(string What, long Entries, bool Completed);
