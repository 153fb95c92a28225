using Microsoft.Extensions.Logging;

namespace DropboxFs.Fuse;

/// <summary>How the mount is made.</summary>
public enum FuseMountMethod
{
    /// <summary>
    /// fusermount3 with auto_unmount whenever it is installed (even as root: only a helper process can
    /// unmount after a kill -9), else mount(2) when running as root.
    /// </summary>
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

    /// <summary>
    /// Kernel readahead for this mount (sysfs read_ahead_kb of its bdi; root only, else left at the
    /// kernel's 128 KiB). 1 MiB = max_write, so sequential reads arrive as 1 MiB READs. Measured on a
    /// 256 MiB file from a local emulator: cold 91 → 291 MB/s, warm 363 → 935 MB/s. Larger windows
    /// gained little and cost mmap faults (git packs) whole windows from the network. 0 = leave it.
    /// </summary>
    public int ReadAheadBytes { get; init; } = 1 << 20;

    /// <summary>
    /// FUSE passthrough for read-only opens of fully cached files (kernel 7.40+, i.e. Linux 6.9+, and
    /// root: FUSE_DEV_IOC_BACKING_OPEN needs CAP_SYS_ADMIN): the kernel reads the cache file directly,
    /// so warm reads cost what reading the cache file costs. Elsewhere reads go through the facade
    /// (logged at debug level). Kernel rule: while a file is open through passthrough, an open of the
    /// same file that cannot use the same cache file (a write open, a newer remote version) waits up to
    /// 1 s for those opens to close, then fails with EBUSY. False turns it off.
    /// </summary>
    public bool Passthrough { get; init; } = true;

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

/// <summary>Adapter counters: negotiated minor, requests by opcode, requests in flight, notifications, passthrough.</summary>
public sealed record FuseStats(
    uint ProtocolMinor,
    IReadOnlyDictionary<string, long> Requests,
    int InFlight,
    long NotificationsSent,
    long NotificationsDropped,
    bool Passthrough = false,
    int PassthroughOpens = 0);
