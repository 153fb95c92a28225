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

    public ILoggerFactory? LoggerFactory { get; init; }
}
