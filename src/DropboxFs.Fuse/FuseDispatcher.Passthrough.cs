using System.Collections.Concurrent;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse.Native;
using DropboxFs.Fuse.Protocol;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Fuse;

/// <summary>
/// FUSE passthrough (7.40): an OPEN whose facade result names a complete local copy
/// (<see cref="FsOpenResult.BackingPath"/>) is answered with FOPEN_PASSTHROUGH and a backing id, so
/// the kernel reads the cache file itself and READs never reach us.
/// The kernel's rule (fs/fuse/iomode.c): an inode is either in passthrough mode (every open file
/// uses the same backing file) or in cached mode (no open file uses passthrough); an open that breaks
/// it fails with EIO. So we track, per node, the opens of each kind and the one backing id, and
/// decide each OPEN/CREATE reply by them.
/// </summary>
internal sealed partial class FuseDispatcher
{
    // RELEASE is sent asynchronously after close(2), so "cat f; open f for writing" can see the cat's
    // passthrough open still counted. 1 s covers that; a real conflict then answers EBUSY.
    private static readonly TimeSpan ConflictWait = TimeSpan.FromSeconds(1);

    private readonly object _ioLock = new();
    private readonly Dictionary<ulong, NodeIo> _nodeIo = [];
    private readonly ConcurrentDictionary<ulong, bool> _handlePassthrough = new(); // fh → opened with passthrough
    private volatile bool _passthrough;
    private volatile bool _passthroughGranted; // set at INIT, never cleared: opens are tracked from then on

    /// <summary>Offer passthrough at INIT (the host sets this when it may use FUSE_DEV_IOC_BACKING_OPEN: root).</summary>
    public bool PassthroughWanted { get; init; }

    /// <summary>Granted at INIT and not disabled by a failed registration since.</summary>
    public bool PassthroughActive => _passthrough;

    /// <summary>Opens currently answered with FOPEN_PASSTHROUGH.</summary>
    public int PassthroughOpens => _handlePassthrough.Count(h => h.Value);

    /// <summary>
    /// INIT: grant FUSE_PASSTHROUGH when wanted and offered (7.40+, INIT_EXT, flags2 bit). The kernel
    /// refuses it together with WRITEBACK_CACHE, which we never ask for.
    /// </summary>
    private bool NegotiatePassthrough(in InitIn init, ref InitOut reply)
    {
        bool offered = init.Minor >= KernelConstants.PassthroughMinor && ((InitFlags)init.Flags).HasFlag(InitFlags.InitExt)
            && ((InitFlags2)init.Flags2).HasFlag(InitFlags2.Passthrough);
        if (!PassthroughWanted || !offered || ((InitFlags)reply.Flags).HasFlag(InitFlags.WritebackCache))
        {
            _logger.LogDebug("FUSE passthrough not used ({Reason})", PassthroughWanted ? "the kernel does not offer it" : "not wanted (needs root)");
            return false;
        }

        reply.Minor = KernelConstants.PassthroughMinor;
        reply.Flags |= (uint)InitFlags.InitExt;
        reply.Flags2 = (uint)InitFlags2.Passthrough;
        reply.MaxStackDepth = KernelConstants.PassthroughStackDepth;
        _passthroughGranted = _passthrough = true;
        return true;
    }

    private sealed class NodeIo
    {
        public int CachedOpens;
        public int PassthroughOpens;
        public string? Path;
        public int BackingId;
        public TaskCompletionSource? Drained;
    }

    /// <summary>
    /// Decides how this open is served. Returns the backing id (&gt; 0) for passthrough, 0 for cached
    /// I/O, or -1 when the node's passthrough opens still hold it after <see cref="ConflictWait"/>.
    /// </summary>
    private async ValueTask<int> AdmitOpenAsync(FuseRequest req, FsOpenResult open, CancellationToken ct) =>
        await WithConflictWaitAsync(req.NodeId, io =>
        {
            if (!TryAdmitLocked(req, io, open, out int backingId))
            {
                return null;
            }

            _handlePassthrough[open.Handle] = backingId > 0;
            return backingId;
        }, ct).ConfigureAwait(false) ?? -1;

    /// <summary>
    /// For an open that will use cached I/O whatever the facade answers (a write open): counts it as a
    /// cached open of the node before the facade is called, once no passthrough open holds the node.
    /// False: still held after <see cref="ConflictWait"/>; answer EBUSY without opening.
    /// </summary>
    private async ValueTask<bool> ReserveCachedOpenAsync(ulong node, CancellationToken ct) =>
        await WithConflictWaitAsync(node, io =>
        {
            if (io.PassthroughOpens > 0)
            {
                return null;
            }

            io.CachedOpens++;
            return 0;
        }, ct).ConfigureAwait(false) is not null;

    /// <summary>
    /// Runs <paramref name="tryLocked"/> on the node's state under the lock; when it reports a conflict
    /// (null), waits once until the node's passthrough opens are all released (at most
    /// <see cref="ConflictWait"/>) and tries again. Null: still in conflict.
    /// </summary>
    private async ValueTask<int?> WithConflictWaitAsync(ulong node, Func<NodeIo, int?> tryLocked, CancellationToken ct)
    {
        for (var waited = false; ; waited = true)
        {
            Task drained;
            lock (_ioLock)
            {
                if (!_nodeIo.TryGetValue(node, out var io))
                {
                    _nodeIo[node] = io = new NodeIo();
                }

                if (tryLocked(io) is { } result)
                {
                    return result;
                }

                io.Drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = io.Drained.Task;
            }

            if (waited)
            {
                _logger.LogDebug("Node {Node} is open through passthrough with another file; refusing this open with EBUSY", node);
                return null;
            }

            await Task.WhenAny(drained, Task.Delay(ConflictWait, _time, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
    }

    private bool TryAdmitLocked(FuseRequest req, NodeIo io, FsOpenResult open, out int backingId)
    {
        backingId = 0;
        if (open.BackingPath is { } path && _passthrough && io.CachedOpens == 0)
        {
            if (io.PassthroughOpens > 0)
            {
                if (io.Path != path)
                {
                    return false; // another version is passed through: the kernel allows one backing file per inode
                }

                io.PassthroughOpens++;
                backingId = io.BackingId;
                return true;
            }

            int rc = req.Channel.OpenBacking(path, out int id);
            if (rc == 0 && id > 0)
            {
                (io.Path, io.BackingId, io.PassthroughOpens) = (path, id, 1);
                _logger.LogDebug("Node {Node} reads {Path} through passthrough (backing id {Id})", req.NodeId, path, id);
                backingId = id;
                return true;
            }

            _passthrough = false; // EPERM (no CAP_SYS_ADMIN), ENOTTY (no passthrough): stop trying
            _logger.LogDebug("FUSE passthrough unavailable (backing open failed: {Error}); reads go through the facade", Libc.Describe(rc));
        }

        if (io.PassthroughOpens > 0)
        {
            return false; // a cached open would fail in the kernel while passthrough opens exist
        }

        io.CachedOpens++;
        return true;
    }

    /// <summary>The facade refused an open reserved by <see cref="ReserveCachedOpenAsync"/>.</summary>
    private void Unreserve(ulong node)
    {
        lock (_ioLock)
        {
            if (_nodeIo.TryGetValue(node, out var io) && --io.CachedOpens == 0 && io.PassthroughOpens == 0)
            {
                _nodeIo.Remove(node);
            }
        }
    }

    /// <summary>A CREATE reply: a new file, always cached I/O (writes never pass through).</summary>
    private void TrackCachedOpen(ulong node, ulong handle)
    {
        lock (_ioLock)
        {
            if (!_nodeIo.TryGetValue(node, out var io))
            {
                _nodeIo[node] = io = new NodeIo();
            }

            io.CachedOpens++;
            _handlePassthrough[handle] = false;
        }
    }

    /// <summary>RELEASE (or a reply the kernel never got): the open is gone; the last passthrough one closes the backing id.</summary>
    private void ForgetOpen(ulong node, ulong handle, IFuseChannel channel)
    {
        if (!_handlePassthrough.TryRemove(handle, out bool passthrough))
        {
            return; // opened before passthrough was negotiated, or never tracked
        }

        lock (_ioLock)
        {
            if (!_nodeIo.TryGetValue(node, out var io))
            {
                return;
            }

            if (passthrough && --io.PassthroughOpens == 0)
            {
                int rc = channel.CloseBacking(io.BackingId);
                if (rc != 0)
                {
                    _logger.LogDebug("Closing backing id {Id} of node {Node} failed: {Error}", io.BackingId, node, Libc.Describe(rc));
                }

                io.Path = null;
                io.Drained?.TrySetResult();
                io.Drained = null;
            }
            else if (!passthrough)
            {
                io.CachedOpens--;
            }

            if (io.CachedOpens == 0 && io.PassthroughOpens == 0)
            {
                _nodeIo.Remove(node);
            }
        }
    }
}
