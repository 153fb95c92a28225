using Microsoft.Extensions.Logging;

namespace DropboxFs.Core;

/// <summary>How <see cref="DropboxFileSystem"/> is composed (see the contract in the team notes).</summary>
public sealed class DropboxFileSystemOptions
{
    /// <summary>Metadata DB and block cache; everything here can be rebuilt.</summary>
    public required string CacheDirectory { get; init; }

    /// <summary>Upload journal and staging (later); never wiped automatically.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>Hard cap on cached file bytes (default 10 GiB).</summary>
    public long CacheSizeBytes { get; init; } = 10L << 30;

    /// <summary>"" mounts the whole account, else a folder such as "/Some/Folder".</summary>
    public string RemoteRoot { get; init; } = "";

    /// <summary>Refuse every mutation (EROFS). Mutations are refused in any case until the write path exists.</summary>
    public bool ReadOnly { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Reports folder listings page by page and the catch-up on changes after a restart (both can
    /// take a while on big trees), for a progress line on a TTY. Called on background threads.
    /// </summary>
    public IProgress<IndexProgress>? IndexProgress { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }
}
