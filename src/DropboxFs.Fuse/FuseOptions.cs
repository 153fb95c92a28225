using Microsoft.Extensions.Logging;

namespace DropboxFs.Fuse;

/// <summary>How the mount is made.</summary>
public enum FuseMountMethod
{
    /// <summary>mount(2) when running as root, fusermount3 otherwise.</summary>
    Auto,

    /// <summary>mount(2) directly (needs root or CAP_SYS_ADMIN).</summary>
    Syscall,

    /// <summary>fusermount3 with fd passing and auto_unmount (works for any user).</summary>
    Fusermount,
}

/// <summary>Options of one FUSE mount. Defaults are documented in src/DropboxFs.Fuse/README.md.</summary>
public sealed class FuseMountOptions
{
    public required string MountPoint { get; init; }

    /// <summary>Let other users (and root) see the mount. Needs root or user_allow_other in /etc/fuse.conf.</summary>
    public bool AllowOther { get; init; }

    /// <summary>Mount with MS_RDONLY / "ro": the kernel then refuses writes before they reach us.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Mount over a directory that has files in it (they stay hidden while mounted).</summary>
    public bool AllowNonEmpty { get; init; }

    public string FsName { get; init; } = "dropboxfs";

    public string Subtype { get; init; } = "dropboxfs";

    public FuseMountMethod Method { get; init; } = FuseMountMethod.Auto;

    /// <summary>Reader threads blocked in read(2) on /dev/fuse (clone fds). 4: replies are asynchronous,
    /// so readers only decode; 4 kept 34 slow READs in flight on 2 vCPUs in the prototype.</summary>
    public int ReaderThreads { get; init; } = 4;

    /// <summary>How long the kernel may trust a name → node answer. Remote changes are pushed with
    /// inval_entry, so this only bounds staleness if a notification is lost.</summary>
    public TimeSpan EntryTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the kernel may trust attributes (size, mtime). Same reasoning as entries.</summary>
    public TimeSpan AttrTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long "no such name" is cached (nodeid 0 entry). Zero sends a plain ENOENT (not cached).</summary>
    public TimeSpan NegativeTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Owner reported for every node; null = the effective uid/gid of this process.</summary>
    public uint? Uid { get; init; }

    public uint? Gid { get; init; }

    /// <summary>Install SIGINT/SIGTERM handlers that unmount lazily (the CLI wants this; tests do not).</summary>
    public bool HandleSignals { get; init; }

    public ILoggerFactory? LoggerFactory { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Thrown when the mount cannot be made; the message says what to do.</summary>
public sealed class FuseMountException(string message, Exception? inner = null) : Exception(message, inner);
