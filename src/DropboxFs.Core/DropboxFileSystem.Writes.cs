using System.Collections.Concurrent;
using DropboxFs.Core.Blocks;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;
using DropboxFs.Core.Nodes;
using DropboxFs.Core.Sync;
using DropboxFs.Core.Uploads;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core;

/// <summary>
/// The write path: files open for writing and files whose upload is pending ("local files"). Their
/// size and mtime come from the writer or the journal, their bytes from the staging file, and the change
/// feed leaves their rows alone until our own commit updates them (see Uploads/README.md).
/// </summary>
public sealed partial class DropboxFileSystem
{
    /// <summary>Local state by path key; also what the change applier protects.</summary>
    private readonly ConcurrentDictionary<string, LocalFile> _local = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<ulong, WriteHandle> _writeHandles = new();

    /// <summary>Serialises writer opens/releases with the local-file bookkeeping and our own commits.</summary>
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>The upload queue (status, drain at unmount); null on read-only mounts.</summary>
    public UploadQueue? Uploads { get; private set; }

    /// <summary>A file written here and not committed yet (or open for writing). Guarded by <see cref="_writeGate"/>
    /// except for reads of the fields, which tolerate a stale value for one getattr.</summary>
    private sealed class LocalFile(string path, string key)
    {
        public string Path { get; set; } = path;

        public string Key { get; set; } = key;

        public UploadWriter? Writer { get; set; }

        /// <summary>Handles holding <see cref="Writer"/>.</summary>
        public int Opens { get; set; }

        public long Size { get; set; }

        public DateTimeOffset Modified { get; set; }

        /// <summary>A closed generation was left pending (a job exists, or existed until its commit).</summary>
        public bool Staged { get; set; }
    }

    /// <summary>A handle on a local file: writable (with a writer) or a read of pending content.</summary>
    private sealed class WriteHandle(Node node, LocalFile local, UploadWriter? writer, FsOpenFlags flags)
    {
        public Node Node { get; } = node;

        public LocalFile Local { get; } = local;

        public UploadWriter? Writer { get; set; } = writer;

        public FsOpenFlags Flags { get; } = flags;

        /// <summary>The committed version, when the pending content landed while this read handle was open.</summary>
        public CachedVersion? Version { get; set; }

        public ReadAheadPolicy ReadAhead { get; } = new();
    }

    private async Task OpenUploadsAsync(CancellationToken ct)
    {
        if (_options.ReadOnly)
        {
            return;
        }

        Uploads = await UploadQueue.OpenAsync(_client, new UploadQueueOptions
        {
            StateDirectory = _options.StateDirectory!,
            WriteBackDelay = _options.WriteBackDelay,
            SyncUploads = _options.SyncUploads,
            OnCommitted = OnCommittedAsync,
            TimeProvider = _time,
            LoggerFactory = _options.LoggerFactory,
        }, ct).ConfigureAwait(false);

        // Pending uploads of an earlier run: visible at once, protected from the feed until they commit.
        foreach (var job in Uploads.GetStatus())
        {
            var key = PathKey.Normalize(job.Path);
            var modified = job.ClientModified ?? _time.GetUtcNow();
            _local[key] = new LocalFile(job.Path, key) { Size = job.Size, Modified = modified, Staged = true };
            if (_entries.Get(key) is null)
            {
                var row = ChangeApplier.LocalFileRow(key, job.Path[(job.Path.LastIndexOf('/') + 1)..], job.Size, modified);
                await _applier.ApplyLocalAsync([new Change(key, row)], ct).ConfigureAwait(false);
            }
        }
    }

    private UploadQueue Queue => Uploads ?? throw new FsException(FsError.ReadOnly);

    private bool HasLocalState(Node node) => !_local.IsEmpty && _nodes.GetKey(node) is { } key && _local.ContainsKey(key);

    private static bool IsWriteOpen(FsOpenFlags flags) => (flags & (FsOpenFlags.Write | FsOpenFlags.Truncate | FsOpenFlags.Append)) != 0;

    /// <summary>Opens a local file: with a writer when <paramref name="flags"/> ask for writing (or create), else a
    /// read of the pending content.</summary>
    private async ValueTask<FsOpenResult> OpenLocalAsync(Node target, FsOpenFlags flags, CancellationToken ct)
    {
        var needsWriter = IsWriteOpen(flags) || flags.HasFlag(FsOpenFlags.Create);
        if (needsWriter)
        {
            _ = RequireWritable<IWritableFile>(target);
        }

        var key = _nodes.GetKey(target) ?? throw new FsException(FsError.NotFound, "the file was deleted");
        var path = _nodes.GetDisplayPath(target) ?? throw new FsException(FsError.NotFound, "the file was deleted");
        if (needsWriter)
        {
            await WaitForLandingCommitAsync(key, ct).ConfigureAwait(false);
        }

        LocalFile local;
        UploadWriter? writer = null;
        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var entry = _entries.Get(key) ?? target.Entry;
            local = _local.GetOrAdd(key, k => new LocalFile(path, k) { Size = entry.Size, Modified = entry.ClientModified });
            if (needsWriter)
            {
                for (var attempt = 0; writer is null; attempt++)
                {
                    // The base is read again after a failure: a commit that landed meanwhile (its staging gone
                    // before it could be copied) has given the row its new rev.
                    entry = _entries.Get(key) ?? target.Entry;
                    var writeBase = LocalIds.IsLocal(entry.Id) || entry.Rev is null ? null : new WriteBase(entry.Rev, entry.Size, entry.ContentHash);
                    try
                    {
                        writer = await Queue.OpenForWriteAsync(local.Path, writeBase, flags.HasFlag(FsOpenFlags.Truncate), ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException && attempt < 2)
                    {
                        _logger.LogDebug("Opening {Path} for writing failed ({Error}); trying again", path, e.Message);
                    }
                    catch (Exception e) when (e is IOException or Microsoft.Data.Sqlite.SqliteException)
                    {
                        await ForgetIfIdleLockedAsync(local).ConfigureAwait(false);
                        throw new FsException(FsError.IoError, $"Could not stage {path}: {e.Message}", e);
                    }
                }

                local.Writer = writer;
                local.Opens++;
                if (flags.HasFlag(FsOpenFlags.Truncate))
                {
                    writer.SetClientModified(Now());
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }

        _nodes.AddOpen(target);
        _nodes.SetKernelVersion(target, null);
        var handle = (ulong)Interlocked.Increment(ref _nextHandle);
        _writeHandles[handle] = new WriteHandle(target, local, writer, flags);
        return new FsOpenResult(handle, KeepCache: false);
    }

    /// <summary>
    /// A local file with no writer and no job is a commit landing right now: the queue dropped the job and
    /// OnCommitted is about to give the row its new rev (milliseconds). A writer opened in between would start
    /// from the old rev and its upload would end as a conflicted copy, so wait for the row (at most 2 s).
    /// </summary>
    private async ValueTask WaitForLandingCommitAsync(string key, CancellationToken ct)
    {
        for (var waited = 0; waited < 200 && _local.TryGetValue(key, out var local) && local is { Writer: null, Staged: true } && !Queue.HasPending(local.Path); waited++)
        {
            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    public async ValueTask<int> WriteAsync(ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var h = GetWriteHandle(node, handle);
        if (offset < 0)
        {
            throw new FsException(FsError.InvalidArgument);
        }

        var writer = h.Writer ?? await ReopenWriterAsync(h, ct).ConfigureAwait(false);
        try
        {
            // O_APPEND: the file's end as we know it (the kernel's cached size may be stale).
            await writer.WriteAsync(h.Flags.HasFlag(FsOpenFlags.Append) ? writer.Length : offset, data, ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new FsException(FsError.IoError, e.Message, e);
        }

        writer.SetClientModified(Now());
        return data.Length;
    }

    /// <summary>A write after a sync-uploads FLUSH committed this handle's data (dup'd fds, mmap): a new generation.</summary>
    private async ValueTask<UploadWriter> ReopenWriterAsync(WriteHandle h, CancellationToken ct)
    {
        if (!IsWriteOpen(h.Flags) && !h.Flags.HasFlag(FsOpenFlags.Create))
        {
            throw new FsException(FsError.BadHandle, "the file is not open for writing");
        }

        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (h.Writer is { } again)
            {
                return again;
            }

            var entry = _entries.Get(h.Local.Key) ?? h.Node.Entry;
            var writeBase = LocalIds.IsLocal(entry.Id) || entry.Rev is null ? null : new WriteBase(entry.Rev, entry.Size, entry.ContentHash);
            var writer = await Queue.OpenForWriteAsync(h.Local.Path, writeBase, truncate: false, ct).ConfigureAwait(false);
            _local.TryAdd(h.Local.Key, h.Local);
            h.Local.Writer = writer;
            h.Local.Opens++;
            h.Writer = writer;
            return writer;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private async ValueTask<int> ReadLocalAsync(WriteHandle h, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            if (h.Writer is { } writer)
            {
                return await writer.ReadAsync(offset, buffer, ct).ConfigureAwait(false);
            }

            if (h.Version is null && await Queue.ReadPendingAsync(h.Local.Path, offset, buffer, ct).ConfigureAwait(false) is { } n)
            {
                return n;
            }

            // Committed while this handle was open: read the new rev like any other file.
            h.Version ??= await AcquireCommittedVersionAsync(h, ct).ConfigureAwait(false);
            return await _blocks.ReadAsync(h.Version, h.ReadAhead, offset, buffer, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsRemoteFailure(e))
        {
            throw ApiErrors.Translate(e, ct);
        }
    }

    /// <summary>
    /// The rev a pending file committed to. The queue drops the job (so nothing is pending any more) a moment
    /// before OnCommitted gives the row its new rev, and longer when the commit is moved after a rename; a
    /// read in that window waits for the row (at most 2 s) instead of finding a local row with no rev (EIO).
    /// </summary>
    private async ValueTask<CachedVersion> AcquireCommittedVersionAsync(WriteHandle h, CancellationToken ct)
    {
        for (var waited = 0; ; waited++)
        {
            var entry = (_nodes.GetKey(h.Node) is { } key ? _entries.Get(key) : null) ?? h.Node.Entry;
            if ((!LocalIds.IsLocal(entry.Id) && entry.VersionKey is not null) || waited >= 200)
            {
                return await AcquireVersionAsync(entry).ConfigureAwait(false);
            }

            await Task.Delay(10, ct).ConfigureAwait(false);
        }
    }

    private ValueTask<CachedVersion> AcquireVersionAsync(EntryRecord entry)
    {
        var versionKey = entry.VersionKey ?? throw new FsException(FsError.IoError, $"{entry.Name} has no revision to read");
        return _blocks.AcquireAsync(versionKey, entry.Size, DropboxBlockSource.RemotePathFor(entry.Id, entry.Rev, entry.Key), entry.Rev, entry.ContentHash);
    }

    /// <summary>FLUSH (every close): ENOSPC when the account is known to be full; with sync-uploads the
    /// last close of the file waits for the commit, so close(2) returns only when the data is on Dropbox.</summary>
    private async ValueTask FlushLocalAsync(WriteHandle h, CancellationToken ct)
    {
        if (h.Writer is not { } writer)
        {
            return;
        }

        if (_options.SyncUploads)
        {
            h.Writer = null;
            try
            {
                await writer.ReleaseAsync(ct).ConfigureAwait(false);
            }
            catch (UploadFailedException e)
            {
                throw new FsException(e.NoSpace ? FsError.NoSpace : FsError.IoError, e.Message, e);
            }
            finally
            {
                await AfterWriterReleasedAsync(h.Local).ConfigureAwait(false);
            }

            return;
        }

        if (Queue.IsQuotaExceeded)
        {
            await writer.DurableAsync(ct).ConfigureAwait(false);
            throw new FsException(FsError.NoSpace, "The Dropbox account is full; the file is kept and will be uploaded when there is space");
        }
    }

    /// <summary>FSYNC: staging data fsynced and the journal row written before this returns.</summary>
    private async ValueTask FsyncLocalAsync(WriteHandle h, CancellationToken ct)
    {
        if (h.Writer is not { } writer)
        {
            return;
        }

        await writer.DurableAsync(ct).ConfigureAwait(false);
        if (Queue.IsQuotaExceeded)
        {
            throw new FsException(FsError.NoSpace, "The Dropbox account is full; the file is kept and will be uploaded when there is space");
        }
    }

    /// <summary>RELEASE: the last one of a file makes it durable and staged (the upload starts after the write-back delay).</summary>
    private async ValueTask ReleaseLocalAsync(WriteHandle h)
    {
        try
        {
            if (h.Writer is { } writer)
            {
                h.Writer = null;
                try
                {
                    await writer.ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (UploadFailedException e)
                {
                    // The kernel ignores RELEASE errors (close returned long ago); the job stays and status shows it.
                    _logger.LogWarning("{Error}", e.Message);
                }
                finally
                {
                    await AfterWriterReleasedAsync(h.Local).ConfigureAwait(false);
                }
            }

            if (h.Version is { } version)
            {
                await _blocks.ReleaseAsync(version).ConfigureAwait(false);
            }
        }
        finally
        {
            _nodes.RemoveOpen(h.Node);
        }
    }

    private async ValueTask AfterWriterReleasedAsync(LocalFile local)
    {
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (--local.Opens > 0 || local.Writer is not { } writer)
            {
                return;
            }

            local.Size = writer.Length;
            local.Modified = writer.ClientModified ?? local.Modified;
            local.Writer = null;
            local.Staged = true;
            await ForgetIfIdleLockedAsync(local).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Drops the local state of a file with no writer and nothing pending (clean close, or committed).</summary>
    private Task ForgetIfIdleLockedAsync(LocalFile local)
    {
        if (local.Writer is null && !Queue.HasPending(local.Path) && _local.TryGetValue(local.Key, out var current) && ReferenceEquals(current, local))
        {
            _local.TryRemove(local.Key, out _);
        }

        return Task.CompletedTask;
    }

    /// <summary>Dispose: writers still open (no RELEASE came) are made durable and staged for the next start.</summary>
    private async Task ReleaseWritersAsync()
    {
        foreach (var h in _writeHandles.Values)
        {
            if (h.Writer is { } writer)
            {
                h.Writer = null;
                await writer.ReleaseAllAsync().ConfigureAwait(false);
            }

            if (h.Version is { } version)
            {
                await _blocks.ReleaseAsync(version).ConfigureAwait(false);
            }
        }

        _writeHandles.Clear();
    }

    private WriteHandle GetWriteHandle(ulong node, ulong handle)
    {
        if (_writeHandles.TryGetValue(handle, out var h) && h.Node.NodeId == node)
        {
            return h;
        }

        // A read-only handle of a read-only file (the kernel checks O_WRONLY itself, so only a bad fh gets here).
        throw new FsException(_handles.TryGetValue(handle, out var open) && open.Node.NodeId == node && open.Node is not IWritableFile ? FsError.ReadOnly : FsError.BadHandle);
    }

    /// <summary>Size and mtime of a file open for writing or pending upload; null for other files.</summary>
    private FsAttributes? LocalAttributes(Node node)
    {
        LocalFile? local = null;
        if (!_local.IsEmpty && _nodes.GetKey(node) is { } key)
        {
            _local.TryGetValue(key, out local);
        }
        else if (!node.IsAttached && !_writeHandles.IsEmpty)
        {
            // Unlinked while open: the handle still writes and reads it.
            local = _writeHandles.Values.FirstOrDefault(h => ReferenceEquals(h.Node, node))?.Local;
        }

        if (local is null)
        {
            return null;
        }

        var writer = local.Writer;
        var size = writer?.Length ?? local.Size;
        var modified = writer?.ClientModified ?? local.Modified;
        return new FsAttributes(node.Ino, FsNodeKind.File, size, modified, modified, ReadOnly: false);
    }

    /// <summary>client_modified has whole seconds; the mtime shown is what survives the upload.</summary>
    private DateTimeOffset Now() => TruncateToSeconds(_time.GetUtcNow());

    private static DateTimeOffset TruncateToSeconds(DateTimeOffset t) => DateTimeOffset.FromUnixTimeSeconds(t.ToUnixTimeSeconds());
}
