using System.Diagnostics;
using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Uploads;

/// <summary>
/// The write side of one file: every handle the facade opened for writing on it shares this writer
/// (reference-counted). Writes go to the staging file; <see cref="DurableAsync"/> (fsync) and the last
/// <see cref="ReleaseAsync"/> return only after the staging data is fsynced and the journal row is
/// written. While the file grows sequentially from 0, completed fragments stream to a session
/// (UploadWriter.Streaming.cs).
/// </summary>
internal sealed partial class UploadWriter
{
    private readonly UploadQueue _queue;
    private readonly object _lock = new();
    private int _refs = 1;
    private bool _dirty;
    private volatile bool _cancelled;
    private string _path;
    private DateTimeOffset? _clientModified;

    internal UploadWriter(UploadQueue queue, UploadJob job, StagingFile staging, bool discardIfClean)
    {
        _queue = queue;
        Job = job;
        Staging = staging;
        DiscardIfClean = discardIfClean;
        _path = job.Path;
        _clientModified = job.ClientModified;
        InitStreaming(job);
    }

    public long JobId => Job.Id;

    /// <summary>The target path (follows renames of the pending file).</summary>
    public string Path
    {
        get
        {
            lock (_lock)
            {
                return _path;
            }
        }
    }

    public string PathKey => Metadata.PathKey.Normalize(Path);

    /// <summary>Logical length of the new content.</summary>
    public long Length => Staging.Size;

    public DateTimeOffset? ClientModified
    {
        get
        {
            lock (_lock)
            {
                return _clientModified;
            }
        }
    }

    internal UploadJob Job { get; }

    internal StagingFile Staging { get; }

    internal bool DiscardIfClean { get; }

    internal bool IsDirty => Volatile.Read(ref _dirty);

    internal bool IsCancelled => _cancelled;

    internal void AddRef() => Interlocked.Increment(ref _refs);

    /// <summary>Adds a reference unless the last one is gone (a release is closing this writer right now).</summary>
    internal bool TryAddRef()
    {
        for (var refs = Volatile.Read(ref _refs); refs > 0; refs = Volatile.Read(ref _refs))
        {
            if (Interlocked.CompareExchange(ref _refs, refs + 1, refs) == refs)
            {
                return true;
            }
        }

        return false;
    }

    internal void MarkDirty() => Volatile.Write(ref _dirty, true);

    internal void MarkCancelled() => _cancelled = true;

    internal void Retarget(string path)
    {
        lock (_lock)
        {
            _path = path;
        }
    }

    public async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        MarkDirty();
        await BeforeWriteAsync(offset, ct).ConfigureAwait(false);
        await WaitForStreamWindowAsync(offset + data.Length, ct).ConfigureAwait(false);
        await Staging.WriteAsync(offset, data, ct).ConfigureAwait(false);
        NotifyWritten(offset, data.Length);
    }

    /// <summary>Reads the file as it is now: written bytes from the staging file, the rest from the
    /// base rev through the queue's base reader.</summary>
    public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken ct = default) =>
        Staging.ReadThroughAsync(offset, buffer, Job.SourceRev, _queue.BaseReader, ct);

    public async ValueTask TruncateAsync(long size, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        MarkDirty();
        await BeforeTruncateAsync(size, ct).ConfigureAwait(false);
        Staging.Truncate(size);
    }

    /// <summary>utimens: the mtime becomes client_modified of the commit (whole seconds, UTC).</summary>
    public void SetClientModified(DateTimeOffset modified)
    {
        MarkDirty();
        lock (_lock)
        {
            _clientModified = modified;
        }
    }

    /// <summary>fsync: the staging data is on disk and the journal row describes it when this returns.</summary>
    public Task DurableAsync(CancellationToken ct = default) => _cancelled ? Task.CompletedTask : _queue.SaveWriterAsync(this, ct);

    /// <summary>Shutdown with handles still open (no RELEASE came): durable and staged like a last release,
    /// without waiting for the commit.</summary>
    internal async Task ReleaseAllAsync()
    {
        if (Interlocked.Exchange(ref _refs, 0) <= 0)
        {
            return;
        }

        StopStreaming();
        await _queue.CloseWriterAsync(this, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>release of one handle. The last one makes the job durable and staged; with sync-uploads it
    /// also waits for the commit and throws <see cref="UploadFailedException"/> when the job failed.</summary>
    public async Task ReleaseAsync(CancellationToken ct = default)
    {
        if (Interlocked.Decrement(ref _refs) > 0)
        {
            return;
        }

        StopStreaming();
        var started = Stopwatch.GetTimestamp();
        var id = await _queue.CloseWriterAsync(this, ct).ConfigureAwait(false);
        _queue.Log.LogDebug("Release of {Path}: staging fsynced and row staged in {Ms:F0} ms", Path, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        if (id is { } jobId && _queue.Options.SyncUploads)
        {
            var status = await _queue.WaitForJobAsync(jobId, ct).ConfigureAwait(false);
            if (status.State == UploadState.Failed)
            {
                throw new UploadFailedException(Path, status.LastError ?? "unknown error", status.NoSpace);
            }
        }
    }
}
