using Microsoft.Extensions.Logging;

namespace DropboxFs.Core;

/// <summary>How <see cref="DropboxFileSystem"/> is composed (see the contract in the team notes).</summary>
public sealed class DropboxFileSystemOptions
{
    /// <summary>Metadata DB and block cache; everything here can be rebuilt.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Upload journal and staging files; never wiped automatically. Required unless <see cref="ReadOnly"/>.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>[--write-back-delay] Pause after the last close before a file's upload starts, so rapid
    /// re-saves and rsync's rename-after-write coalesce into one upload. Default 2 s.</summary>
    public TimeSpan WriteBackDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>[--sync-uploads] close(2) returns only after the upload is committed (or has failed).</summary>
    public bool SyncUploads { get; init; }

    /// <summary>Hard cap on cached file bytes (default 10 GiB).</summary>
    public long CacheSizeBytes { get; init; } = 10L << 30;

    /// <summary>"" mounts the whole account, else a folder such as "/Some/Folder".</summary>
    public string RemoteRoot { get; init; } = "";

    /// <summary>Refuse every mutation (EROFS); no upload queue is opened.</summary>
    public bool ReadOnly { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Reports folder listings page by page and the catch-up on changes after a restart (both can
    /// take a while on big trees), for a progress line on a TTY. Called on background threads.
    /// </summary>
    public IProgress<IndexProgress>? IndexProgress { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }
}
