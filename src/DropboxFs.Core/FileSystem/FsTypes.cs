namespace DropboxFs.Core.FileSystem;

public enum FsNodeKind
{
    File,
    Directory,
}

/// <summary>Attributes of a node as the adapter reports them (stat / FileInfo).</summary>
/// <param name="Ino">Stable inode number (derived from the Dropbox id where there is one).</param>
/// <param name="Kind">File or directory.</param>
/// <param name="Size">Size in bytes (0 for directories).</param>
/// <param name="ModifiedTime">mtime: Dropbox client_modified for files.</param>
/// <param name="ChangeTime">ctime: Dropbox server_modified for files.</param>
/// <param name="ReadOnly">True for nodes that refuse writes (revision views, read-only mounts).</param>
public readonly record struct FsAttributes(
    ulong Ino,
    FsNodeKind Kind,
    long Size,
    DateTimeOffset ModifiedTime,
    DateTimeOffset ChangeTime,
    bool ReadOnly);

/// <summary>A node handed to the kernel: its node id and attributes.</summary>
public readonly record struct FsEntry(ulong NodeId, FsAttributes Attributes);

/// <summary>One directory entry, with the node it names (for READDIRPLUS).</summary>
public readonly record struct FsDirEntry(string Name, FsEntry Entry);

/// <summary>Result of an open: a facade handle, and whether the kernel page cache may be kept.</summary>
/// <param name="Handle">The facade handle; every read/release names it.</param>
/// <param name="KeepCache">The kernel may keep cached pages of this node from earlier opens.</param>
/// <param name="BackingPath">
/// Optional: a local file whose bytes are exactly this open's content, complete and final, which an
/// adapter may let the kernel read directly (FUSE passthrough) instead of calling ReadAsync. Offered
/// only for opens without write access, of a version fully present in the block cache with nothing
/// local pending. The handle pins the file (it is never evicted or rewritten) until it is released.
/// Decorators that change content or size (e.g. encryption) must clear it (<c>with { BackingPath = null }</c>);
/// decorators that pass content through unchanged forward it.
/// </param>
public readonly record struct FsOpenResult(ulong Handle, bool KeepCache, string? BackingPath = null);

/// <summary>Result of a create: the new node and its open handle.</summary>
public readonly record struct FsCreateResult(FsEntry Entry, FsOpenResult Open);

public readonly record struct FsStatFs(long TotalBytes, long FreeBytes, long TotalFiles, long FreeFiles, int MaxNameLength);

[Flags]
public enum FsOpenFlags
{
    Read = 1,
    Write = 2,
    Truncate = 4,
    Append = 8,
    Create = 16,
    Exclusive = 32,
}

[Flags]
public enum FsRenameFlags
{
    None = 0,
    NoReplace = 1,
    Exchange = 2,
}

/// <summary>Which attributes a SetAttr call changes.</summary>
public readonly record struct FsSetAttr(long? Size, DateTimeOffset? ModifiedTime, ulong? Handle);
