namespace DropboxFs.Core.Uploads;

/// <summary>Where an upload job is in its life (see README.md). A committed job's row is removed, so
/// <see cref="Committed"/> only appears in events and status snapshots.</summary>
public enum UploadState
{
    /// <summary>A handle is open for writing; the data is not released yet.</summary>
    Writing = 0,
    /// <summary>Released (durable), waiting for the write-back delay or an older generation.</summary>
    Staged = 1,
    /// <summary>Fragments are being appended to the session (id + offset saved after each ack).</summary>
    Uploading = 2,
    /// <summary>Every byte is in the session; the finish (single or batch) is being sent.</summary>
    Committing = 3,
    /// <summary>Committed on the server; the row is gone.</summary>
    Committed = 4,
    /// <summary>A permanent or quota error: kept, shown by status, retried after a back-off.</summary>
    Failed = 5,
}

/// <summary>One row of <c>upload_jobs</c>: everything needed to finish the upload after a restart.</summary>
internal sealed record UploadJob
{
    public long Id { get; init; }
    /// <summary>Target path as displayed (case kept); the commit goes here.</summary>
    public required string Path { get; init; }
    /// <summary><see cref="Metadata.PathKey.Normalize"/> of <see cref="Path"/>; jobs of one key run in id order.</summary>
    public required string PathKey { get; init; }
    /// <summary>Write generations this row has absorbed (a re-open of a job not yet in flight bumps it).</summary>
    public int Generation { get; init; }
    public UploadState State { get; init; }
    /// <summary>Commit mode: update(BaseRev), or add when null (a new file).</summary>
    public string? BaseRev { get; init; }
    /// <summary>content_hash of the base rev when the caller knew it (unchanged content → no upload at all).</summary>
    public string? BaseHash { get; init; }
    /// <summary>Rev whose bytes fill the ranges of [0, SourceLength) that were not written locally.</summary>
    public string? SourceRev { get; init; }
    public long SourceLength { get; init; }
    /// <summary>Logical file length.</summary>
    public long Size { get; init; }
    /// <summary>Serialized <see cref="Blocks.RangeSet"/> of the bytes present in the staging file.</summary>
    public byte[] Ranges { get; init; } = [];
    /// <summary>File name inside the staging folder.</summary>
    public required string Staging { get; init; }
    public DateTimeOffset? ClientModified { get; init; }
    public string? SessionId { get; init; }
    /// <summary>Bytes the server acknowledged in <see cref="SessionId"/>.</summary>
    public long SessionOffset { get; init; }
    public int Tries { get; init; }
    public string? LastError { get; init; }
    /// <summary>True when <see cref="LastError"/> was insufficient_space (the facade answers ENOSPC).</summary>
    public bool NoSpace { get; init; }
    /// <summary>Unix ms; the job is not started before this (write-back delay, back-off).</summary>
    public long DueAt { get; init; }
    public string? ContentHash { get; init; }
    public long CreatedAt { get; init; }
}

/// <summary>A commit that landed as a conflicted copy (or under another name) instead of the target.</summary>
public sealed record UploadConflict(long Id, string Path, string ConflictPath, string Rev, DateTimeOffset At, string Reason);

/// <summary>A status line for one pending job (<c>dropboxfs status</c>).</summary>
public sealed record UploadJobStatus(long Id, string Path, UploadState State, long Size, long BytesUploaded, int Tries, string? LastError, bool NoSpace,
    DateTimeOffset? ClientModified = null);

/// <summary>Drain progress: rows left and bytes still to send.</summary>
public sealed record UploadDrainProgress(int Pending, int Failed, long BytesPending);

/// <summary>Raised to the facade after a commit; the staging file may be adopted as the cached copy of
/// the new rev by moving it away inside the callback (it is deleted otherwise).</summary>
public sealed record UploadCommitted(long JobId, string TargetPath, DropboxFs.Api.FileMetadata Metadata, bool IsConflictCopy, string StagingFile);
