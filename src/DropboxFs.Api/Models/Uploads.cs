namespace DropboxFs.Api;

/// <summary>How an upload treats an existing file, following the classic component's rules, checked in order:
/// 1. identical content (same content_hash) is a no-op;
/// 2. <see cref="IfRevision"/> → <c>update(rev)</c>; on a mismatch, <see cref="RenameIfExists"/> gives a conflicted
///    copy, otherwise the upload fails (<see cref="DropboxApiException.IsConflict"/>);
/// 3. <see cref="RenameIfExists"/> → <c>add</c> + <c>autorename</c>;
/// 4. <see cref="Overwrite"/> → <c>overwrite</c>;
/// 5. otherwise <c>add</c>, which fails on conflict.</summary>
public sealed record UploadOptions
{
    /// <summary>Only replace this revision (optimistic concurrency).</summary>
    public string? IfRevision { get; init; }
    /// <summary>On conflict keep both (autorename / conflicted copy).</summary>
    public bool RenameIfExists { get; init; }
    /// <summary>Replace whatever file is there.</summary>
    public bool Overwrite { get; init; }
    /// <summary>client_modified; sent truncated to whole seconds, UTC.</summary>
    public DateTimeOffset? ClientModified { get; init; }
    /// <summary>Suppress user notifications.</summary>
    public bool Mute { get; init; }
    /// <summary>Rule 1: when true (default) and the source is seekable, the file is hashed first and an existing
    /// file with the same content_hash is returned without uploading.</summary>
    public bool SkipIdenticalContent { get; init; } = true;

    /// <summary>Defaults: add, no autorename.</summary>
    public static UploadOptions Default { get; } = new();
}

/// <summary>Position of an upload session: the id and the number of bytes the server holds.
/// Persist it after each fragment; an interrupted upload resumes from it (sessions live 7 days).</summary>
public sealed record UploadSessionCursor(string SessionId, long Offset);

/// <summary>Reported after each acknowledged fragment.</summary>
/// <param name="Cursor">Session id and the new offset (bytes acknowledged by the server).</param>
/// <param name="TotalBytes">Total length when known.</param>
public sealed record UploadProgress(UploadSessionCursor Cursor, long? TotalBytes)
{
    /// <summary>Bytes acknowledged so far.</summary>
    public long BytesUploaded => Cursor.Offset;
}

/// <summary>Options of the resumable fragment uploader.</summary>
public sealed record ResumableUploadOptions
{
    /// <summary>Conflict rules and commit fields.</summary>
    public UploadOptions Upload { get; init; } = UploadOptions.Default;
    /// <summary>Fragment size; null = <see cref="DropboxClientOptions.FragmentSize"/>. At most 150 MiB.</summary>
    public int? FragmentSize { get; init; }
    /// <summary>Resume this session; the source is positioned at <c>Resume.Offset</c> (seek, or skip if not seekable).</summary>
    public UploadSessionCursor? Resume { get; init; }
    /// <summary>Called after each acknowledged fragment (persist the cursor here).</summary>
    public Func<UploadProgress, CancellationToken, ValueTask>? OnProgress { get; init; }
    /// <summary>Called once with the new session's cursor before the first fragment is sent.</summary>
    public Func<UploadSessionCursor, CancellationToken, ValueTask>? OnSessionStarted { get; init; }
}

/// <summary>One entry of <c>upload_session/finish_batch_v2</c>: a closed session and where to commit it.</summary>
/// <param name="Cursor">Session id and total length.</param>
/// <param name="Path">Destination.</param>
/// <param name="Options">Commit options (conflict rules 2–5; rule 1 is the server's own no-op).</param>
public sealed record UploadSessionFinishEntry(UploadSessionCursor Cursor, string Path, UploadOptions? Options = null);

/// <summary>Per-entry result of a batch finish: either <see cref="Metadata"/> or a failure.</summary>
public sealed record UploadSessionFinishResult
{
    /// <summary>The committed file on success.</summary>
    public FileMetadata? Metadata { get; init; }
    /// <summary>The failure as an exception carrying the tag path (e.g. "path/conflict/file"), on failure.</summary>
    public DropboxApiException? Failure { get; init; }
    /// <summary>True when committed.</summary>
    public bool IsSuccess => Metadata is not null;
}

/// <summary>Options of move_v2/copy_v2.</summary>
public sealed record RelocationOptions
{
    /// <summary>Pick a free name on conflict.</summary>
    public bool Autorename { get; init; }
    /// <summary>Deprecated by Dropbox; no effect.</summary>
    public bool AllowSharedFolder { get; init; }
    /// <summary>Move only.</summary>
    public bool AllowOwnershipTransfer { get; init; }
}

/// <summary>list_revisions mode.</summary>
public enum RevisionMode
{
    /// <summary>Revisions at this path.</summary>
    Path,
    /// <summary>Follow the file by id across moves.</summary>
    Id,
}
