using System.Collections.Concurrent;
using DropboxFs.Core.Blocks;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Nodes;

namespace DropboxFs.Core;

/// <summary>Open, read and release: every handle pins the file version it opened.</summary>
public sealed partial class DropboxFileSystem
{
    private readonly ConcurrentDictionary<ulong, OpenHandle> _handles = new();
    private long _nextHandle;

    /// <summary>An open handle: the version it reads (even after a remote change) and its read-ahead state.</summary>
    private sealed record OpenHandle(Node Node, CachedVersion Version, ReadAheadPolicy ReadAhead);

    public async ValueTask<FsOpenResult> OpenAsync(ulong node, FsOpenFlags flags, CancellationToken ct)
    {
        var target = _nodes.Get(node);
        if (target.Kind == FsNodeKind.Directory)
        {
            throw new FsException(FsError.IsDirectory);
        }

        if ((flags & (FsOpenFlags.Write | FsOpenFlags.Truncate | FsOpenFlags.Append | FsOpenFlags.Create)) != 0 && target is not IWritableFile)
        {
            throw new FsException(FsError.ReadOnly);
        }

        if (IsWriteOpen(flags) || HasLocalState(target))
        {
            return await OpenLocalAsync(target, flags, ct).ConfigureAwait(false); // the write path (DropboxFileSystem.Writes.cs)
        }

        var entry = target.Entry;
        var versionKey = entry.VersionKey ?? throw new FsException(FsError.IoError, $"{entry.Name} has no revision to read");
        var version = await _blocks.AcquireAsync(
            versionKey, entry.Size, DropboxBlockSource.RemotePathFor(entry.Id, entry.Rev, entry.Key), entry.Rev, entry.ContentHash).ConfigureAwait(false);
        _nodes.AddOpen(target);
        var handle = (ulong)Interlocked.Increment(ref _nextHandle);
        _handles[handle] = new OpenHandle(target, version, new ReadAheadPolicy());
        var keepCache = _nodes.SetKernelVersion(target, versionKey);
        return new FsOpenResult(handle, keepCache);
    }

    public async ValueTask<int> ReadAsync(ulong node, ulong handle, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        if (offset < 0)
        {
            throw new FsException(FsError.InvalidArgument);
        }

        if (_writeHandles.TryGetValue(handle, out var local) && local.Node.NodeId == node)
        {
            return await ReadLocalAsync(local, offset, buffer, ct).ConfigureAwait(false);
        }

        var open = GetHandle(node, handle);

        try
        {
            return await _blocks.ReadAsync(open.Version, open.ReadAhead, offset, buffer, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsRemoteFailure(e))
        {
            throw ApiErrors.Translate(e, ct);
        }
    }

    public ValueTask FlushAsync(ulong node, ulong handle, CancellationToken ct)
    {
        if (_writeHandles.TryGetValue(handle, out var local) && local.Node.NodeId == node)
        {
            return FlushLocalAsync(local, ct);
        }

        GetHandle(node, handle);
        return ValueTask.CompletedTask;
    }

    public ValueTask FsyncAsync(ulong node, ulong handle, CancellationToken ct)
    {
        if (_writeHandles.TryGetValue(handle, out var local) && local.Node.NodeId == node)
        {
            return FsyncLocalAsync(local, ct);
        }

        GetHandle(node, handle);
        return ValueTask.CompletedTask;
    }

    public async ValueTask ReleaseAsync(ulong node, ulong handle)
    {
        if (_writeHandles.TryRemove(handle, out var local))
        {
            await ReleaseLocalAsync(local).ConfigureAwait(false);
            return;
        }

        if (!_handles.TryRemove(handle, out var open))
        {
            throw new FsException(FsError.BadHandle);
        }

        await _blocks.ReleaseAsync(open.Version).ConfigureAwait(false);
        _nodes.RemoveOpen(open.Node);
    }

    private OpenHandle GetHandle(ulong node, ulong handle) =>
        _handles.TryGetValue(handle, out var open) && open.Node.NodeId == node ? open : throw new FsException(FsError.BadHandle);
}
