namespace DropboxFs.Core.FileSystem;

/// <summary>
/// The facade every platform adapter calls (implemented by <c>DropboxFileSystem</c>). Node ids are
/// owned here: a node is created when Lookup/Create/Mkdir (or a READDIRPLUS entry the adapter
/// reports through <see cref="Remember"/>) hands it to the kernel, and freed when
/// <see cref="Forget"/> takes its lookup count to 0 and it is not open. Node id 1 is the root.
/// Every method throws <see cref="FsException"/> on failure; nothing else is expected to escape.
/// </summary>
public interface IFileSystem
{
    public const ulong RootNodeId = 1;

    ValueTask<FsEntry> LookupAsync(ulong parent, string name, CancellationToken ct);

    /// <summary>Adds one kernel lookup reference for a node returned by ReadDir (READDIRPLUS).</summary>
    void Remember(ulong node);

    void Forget(ulong node, ulong count);

    ValueTask<FsAttributes> GetAttrAsync(ulong node, CancellationToken ct);

    ValueTask<FsAttributes> SetAttrAsync(ulong node, FsSetAttr change, CancellationToken ct);

    /// <summary>A stable snapshot of the folder, in listing order; the adapter pages it by index.</summary>
    ValueTask<IReadOnlyList<FsDirEntry>> ReadDirAsync(ulong node, CancellationToken ct);

    ValueTask<FsOpenResult> OpenAsync(ulong node, FsOpenFlags flags, CancellationToken ct);

    ValueTask<int> ReadAsync(ulong node, ulong handle, long offset, Memory<byte> buffer, CancellationToken ct);

    ValueTask<int> WriteAsync(ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken ct);

    ValueTask FlushAsync(ulong node, ulong handle, CancellationToken ct);

    ValueTask FsyncAsync(ulong node, ulong handle, CancellationToken ct);

    ValueTask ReleaseAsync(ulong node, ulong handle);

    ValueTask<FsCreateResult> CreateAsync(ulong parent, string name, FsOpenFlags flags, CancellationToken ct);

    ValueTask<FsEntry> MkdirAsync(ulong parent, string name, CancellationToken ct);

    ValueTask UnlinkAsync(ulong parent, string name, CancellationToken ct);

    ValueTask RmdirAsync(ulong parent, string name, CancellationToken ct);

    ValueTask RenameAsync(ulong parent, string name, ulong newParent, string newName, FsRenameFlags flags, CancellationToken ct);

    /// <summary>
    /// copy_file_range: copies up to <paramref name="length"/> bytes from one open file to another and
    /// returns the bytes copied (0 at end of input). A whole-file copy of an unchanged file becomes a
    /// server-side copy where the backend has one.
    /// </summary>
    ValueTask<long> CopyFileRangeAsync(
        ulong nodeIn, ulong handleIn, long offsetIn, ulong nodeOut, ulong handleOut, long offsetOut, long length, CancellationToken ct);

    ValueTask<FsStatFs> StatFsAsync(CancellationToken ct);
}

/// <summary>
/// How Core tells the kernel that cached entries or data are stale (remote changes). Adapters
/// implement it; they must deliver notifications from their own thread, never from inside a
/// related request. Tests use a recording fake.
/// </summary>
public interface IKernelNotifier
{
    /// <summary>The name <paramref name="name"/> in <paramref name="parent"/> may now resolve differently.</summary>
    void InvalidateEntry(ulong parent, string name);

    /// <summary>The node's attributes and, when <paramref name="length"/> is not 0, its data changed (-1 = all).</summary>
    void InvalidateInode(ulong node, long offset = 0, long length = -1);
}
