using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Names;
using DropboxFs.Core.Nodes;

namespace DropboxFs.Core;

/// <summary>
/// setattr, and the capability check every mutation goes through: nodes of a read-only mount (and
/// revision views) have no write capability, so every mutation answers ReadOnly without special cases.
/// </summary>
public sealed partial class DropboxFileSystem
{
    /// <summary>truncate/ftruncate (Size) and utimens (ModifiedTime → client_modified of the upload). chmod/chown
    /// arrive with neither and succeed without effect (Dropbox stores no modes), so cp -a and rsync -a work.</summary>
    public async ValueTask<FsAttributes> SetAttrAsync(ulong node, FsSetAttr change, CancellationToken ct)
    {
        var target = _nodes.Get(node);
        if (change is { Size: null, ModifiedTime: null })
        {
            return AttributesOf(target);
        }

        if (target.Kind == FsNodeKind.Directory)
        {
            _ = RequireWritable<IWritableDirectory>(target);
            // Dropbox folders have no times: a folder's mtime cannot be kept, and refusing it would fail cp -a.
            return change.Size is null ? AttributesOf(target) : throw new FsException(FsError.IsDirectory);
        }

        _ = RequireWritable<IWritableFile>(target);
        if (change.Size is < 0)
        {
            throw new FsException(FsError.InvalidArgument);
        }

        if (change is { Size: null, ModifiedTime: { } time } && _nodes.GetKey(target) is { } key && _local.TryGetValue(key, out var local)
            && await SetPendingModifiedAsync(key, local, TruncateToSeconds(time), ct).ConfigureAwait(false))
        {
            return AttributesOf(target);
        }

        // ftruncate comes with its handle; truncate(2) and utimens of other files borrow a writer for the call.
        ulong borrowed = 0;
        if (change.Handle is not { } fh || !_writeHandles.TryGetValue(fh, out var h) || h.Node != target || !IsWriteOpen(h.Flags))
        {
            var flags = FsOpenFlags.Write | (change.Size == 0 ? FsOpenFlags.Truncate : 0);
            borrowed = (await OpenLocalAsync(target, flags, ct).ConfigureAwait(false)).Handle;
            h = _writeHandles[borrowed];
        }

        try
        {
            var writer = h.Writer ?? await ReopenWriterAsync(h, ct).ConfigureAwait(false);
            if (change.Size is { } size && (borrowed == 0 || size != 0))
            {
                await writer.TruncateAsync(size, ct).ConfigureAwait(false);
            }

            writer.SetClientModified(change.ModifiedTime is { } mtime ? TruncateToSeconds(mtime) : Now());
            return AttributesOf(target);
        }
        finally
        {
            if (borrowed != 0)
            {
                await ReleaseAsync(target.NodeId, borrowed).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// rsync: SETATTR utimens right after close, racing the asynchronous RELEASE (and maybe the upload): the job
    /// takes the time. Under the write gate, and the writer too while the LocalFile still has one: a RELEASE
    /// between the queue's close and <see cref="AfterWriterReleasedAsync"/> copied the writer's older time back
    /// into <c>local.Modified</c>, so the mount showed the last write's time until the commit (the second
    /// `rsync -a` then re-sent small files: 1 in 12 runs).
    /// </summary>
    private async ValueTask<bool> SetPendingModifiedAsync(string key, LocalFile local, DateTimeOffset time, CancellationToken ct)
    {
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!await Queue.SetClientModifiedAsync(key, time, ct).ConfigureAwait(false))
            {
                return false;
            }

            local.Writer?.SetClientModified(time);
            local.Modified = time;
            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The node's write capability, or ReadOnly when it has none (read-only mounts, revision views).</summary>
    private T RequireWritable<T>(Node node)
        where T : class =>
        !_options.ReadOnly && node is T capability ? capability : throw new FsException(FsError.ReadOnly);

    /// <summary>A lookup of a name Dropbox cannot hold answers NotFound (it cannot exist), not EINVAL.</summary>
    private static string RemoteNameForLookup(string name)
    {
        try
        {
            return NameEscaping.ToRemote(name);
        }
        catch (FsException e) when (e.Error == FsError.InvalidName)
        {
            throw new FsException(FsError.NotFound, e.Message);
        }
    }
}
