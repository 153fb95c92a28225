using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Uploads;

/// <summary>Settings of the upload queue (CLI flags in brackets).</summary>
internal sealed class UploadQueueOptions
{
    /// <summary>State folder: <c>uploads.db</c> and <c>staging/</c> live here; never wiped automatically.</summary>
    public required string StateDirectory { get; init; }

    /// <summary>[--write-back-delay] Pause after release before the upload starts, so an editor's rapid
    /// re-saves and rsync's temp-file rename coalesce into one upload. Default 2 s.</summary>
    public TimeSpan WriteBackDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>[--sync-uploads] Release waits until the job is committed (or failed).</summary>
    public bool SyncUploads { get; init; }

    /// <summary>Fragment appended to a session at once while a file is written sequentially. 8 MiB:
    /// Dropbox's own clients use 4–8 MiB; larger gains little and costs RAM per transfer.</summary>
    public int FragmentSize { get; init; } = 8 << 20;

    /// <summary>How far a sequential writer may run ahead of the acknowledged stream before its writes wait
    /// (0 = never wait). 16 MiB (two fragments): the commit then lands shortly after the writer finishes.
    /// Measured (bench 50-writes, 256 MiB at a 64 MiB/s cap, loaded 2-core VM): 64 MiB gave commit/writer-end
    /// 1.53×, 16 MiB 1.30× (the rest is the final hash pass and finish). With the pipelined pump and the background
    /// writeback 1.07–1.08× (load 2–3); a 32 MiB window with 16 MiB fragments gave 1.14× and no faster uncapped copy.</summary>
    public long StreamingWindow { get; init; } = 16L << 20;

    /// <summary>Files streaming at once (each pump holds two fragment buffers while one is appended and the next is
    /// read: 4 × 2 × 8 MiB = 64 MiB at most). A file beyond the cap is not held back; it uploads after close.</summary>
    public int MaxStreamingFiles { get; init; } = 4;

    /// <summary>Files up to this size (without a session yet) are committed through finish_batch_v2.</summary>
    public long SmallFileMax { get; init; } = 8 << 20;

    /// <summary>Entries per finish_batch_v2 (Dropbox allows 1000).</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>upload_session/start calls in parallel while a batch is prepared.</summary>
    public int ParallelSessions { get; init; } = 8;

    /// <summary>Large (session) uploads in flight at once.</summary>
    public int MaxConcurrentUploads { get; init; } = 4;

    /// <summary>First back-off after a transient failure; doubles per try up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Pause before a failed job (quota, refused name) is tried again.</summary>
    public TimeSpan FailedRetryDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Where missing base ranges come from; null = ranged downloads through the client.</summary>
    public IBaseContentReader? BaseReader { get; init; }

    /// <summary>Called after each commit, before the staging file is deleted (the facade may adopt it).</summary>
    public Func<UploadCommitted, ValueTask>? OnCommitted { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }
}

/// <summary>The base a writer starts from: the rev (and its length) the kernel saw when the file was opened.</summary>
public sealed record WriteBase(string Rev, long Size, string? ContentHash = null);

/// <summary>Thrown by a sync-uploads release when the job failed; <see cref="NoSpace"/> maps to ENOSPC.</summary>
public sealed class UploadFailedException(string path, string message, bool noSpace)
    : IOException($"Upload of {path} failed: {message}")
{
    public string UploadPath { get; } = path;

    public bool NoSpace { get; } = noSpace;
}
