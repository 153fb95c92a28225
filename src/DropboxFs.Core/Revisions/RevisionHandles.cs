using System.Collections.Concurrent;
using DropboxFs.Api;
using DropboxFs.Core.Blocks;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Revisions;

/// <summary>
/// Open handles on revision files (revision views and point-in-time trees): each pins one revision in
/// the facade's block cache, so ranged reads, read-ahead and caching work as for live files.
/// Revisions never change, so the kernel may keep its page cache (KeepCache).
/// </summary>
internal sealed class RevisionHandles(DropboxFileSystem source) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ulong, OpenRevision> _open = new();
    private long _next;

    public int Count => _open.Count;

    public async ValueTask<FsOpenResult> OpenAsync(ulong node, FileMetadata revision, FsOpenFlags flags)
    {
        if ((flags & (FsOpenFlags.Write | FsOpenFlags.Truncate | FsOpenFlags.Append | FsOpenFlags.Create)) != 0)
        {
            throw new FsException(FsError.ReadOnly);
        }

        var version = await source.AcquireRevisionAsync(revision).ConfigureAwait(false);
        var handle = (ulong)Interlocked.Increment(ref _next);
        _open[handle] = new OpenRevision(node, version, new ReadAheadPolicy());
        return new FsOpenResult(handle, KeepCache: true);
    }

    public ValueTask<int> ReadAsync(ulong node, ulong handle, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        var open = Get(node, handle);
        return source.ReadRevisionAsync(open.Version, open.ReadAhead, offset, buffer, ct);
    }

    /// <summary>Checks the handle (flush, fsync: nothing to write).</summary>
    public void Check(ulong node, ulong handle) => Get(node, handle);

    /// <summary>Releases the handle (BadHandle for one that is not open on this node).</summary>
    public async ValueTask ReleaseAsync(ulong node, ulong handle)
    {
        if (!_open.TryGetValue(handle, out var open) || open.Node != node || !_open.TryRemove(handle, out _))
        {
            throw new FsException(FsError.BadHandle);
        }

        await source.ReleaseRevisionAsync(open.Version).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var handle in _open.Keys)
        {
            if (_open.TryRemove(handle, out var open))
            {
                await source.ReleaseRevisionAsync(open.Version).ConfigureAwait(false);
            }
        }
    }

    private OpenRevision Get(ulong node, ulong handle) =>
        _open.TryGetValue(handle, out var open) && open.Node == node ? open : throw new FsException(FsError.BadHandle);

    private sealed record OpenRevision(ulong Node, CachedVersion Version, ReadAheadPolicy ReadAhead);
}
