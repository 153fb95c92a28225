using DropboxFs.Api;
using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Uploads;

public sealed partial class UploadQueue
{
    /// <summary>
    /// Opens <paramref name="path"/> for writing. A file already open for writing shares its writer (one
    /// staging per file). A pending job that is not in flight is taken over (same row and staging, next
    /// generation); one in flight is followed by a new row whose staging starts as a copy of it.
    /// Otherwise the writer starts from <paramref name="writeBase"/> (null = a new file).
    /// The row exists before this returns.
    /// </summary>
    internal async Task<UploadWriter> OpenForWriteAsync(string path, WriteBase? writeBase, bool truncate, CancellationToken ct = default)
    {
        var key = PathKey.Normalize(path);
        UploadWriter? writer = null;
        while (writer is null)
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (!_writers.TryGetValue(key, out var open))
                {
                    writer = await CreateWriterLockedAsync(path, key, writeBase, ct).ConfigureAwait(false);
                    _writers[key] = writer;
                }
                else if (open.TryAddRef())
                {
                    writer = open;
                }
            }
            finally
            {
                _gate.Release();
            }

            if (writer is null)
            {
                // Its last release is closing it (RELEASE runs after close(2) returned, so `echo a >> f;
                // echo b >> f` re-opens in that window): sharing it would write into a closed staging.
                // Wait until the close (which holds the gate) has staged the row, then take the job over.
                await Task.Delay(1, ct).ConfigureAwait(false);
            }
        }

        if (truncate)
        {
            await writer.TruncateAsync(0, ct).ConfigureAwait(false);
        }

        return writer;
    }

    private async Task<UploadWriter> CreateWriterLockedAsync(string path, string key, WriteBase? writeBase, CancellationToken ct)
    {
        var last = _journal.Jobs.ForKey(key).LastOrDefault();
        var now = NowMs;
        if (last is not null && !_inFlight.Contains(last.Id))
        {
            // Superseded before it started: the new generation continues in the same row and staging.
            var job = last with { State = UploadState.Writing, Generation = last.Generation + 1, Tries = 0, LastError = null, NoSpace = false };
            await _journal.WriteAsync((c, tx) => UploadJobTable.Update(c, tx, job), ct).ConfigureAwait(false);
            var staging = StagingFile.Open(StagingPath(job.Staging), job.Size, job.SourceLength, job.Ranges);
            _log.LogDebug("Generation {Generation} of {Path} takes over pending job {Id}", job.Generation, path, job.Id);
            return new UploadWriter(this, job, staging, discardIfClean: false);
        }

        UploadJob fresh;
        var name = Guid.NewGuid().ToString("N") + ".stage";
        if (last is not null)
        {
            // In flight: the new generation waits for it and then replaces exactly the rev it produces.
            File.Copy(StagingPath(last.Staging), StagingPath(name));
            fresh = last with
            {
                Id = 0,
                Path = path,
                Generation = last.Generation + 1,
                State = UploadState.Writing,
                Staging = name,
                SessionId = null,
                SessionOffset = 0,
                Tries = 0,
                LastError = null,
                NoSpace = false,
                ContentHash = null,
                DueAt = now,
                CreatedAt = now,
            };
        }
        else
        {
            fresh = new UploadJob
            {
                Path = path,
                PathKey = key,
                Generation = 1,
                State = UploadState.Writing,
                BaseRev = writeBase?.Rev,
                BaseHash = writeBase?.ContentHash,
                SourceRev = writeBase?.Rev,
                SourceLength = writeBase?.Size ?? 0,
                Size = writeBase?.Size ?? 0,
                Staging = name,
                DueAt = now,
                CreatedAt = now,
            };
        }

        var file = StagingFile.Open(StagingPath(name), fresh.Size, fresh.SourceLength, fresh.Ranges);
        file.Truncate(fresh.Size);
        var id = await _journal.WriteAsync((c, tx) => UploadJobTable.Insert(c, tx, fresh), ct).ConfigureAwait(false);
        // A brand-new file is a change by itself (create gives an empty file even without writes).
        var writer = new UploadWriter(this, fresh with { Id = id }, file, discardIfClean: last is not null || writeBase is not null);
        if (last is null && writeBase is null)
        {
            writer.MarkDirty();
        }

        return writer;
    }

    /// <summary>Last release of a writer: fsync the staging, mark the row staged (or drop it when nothing
    /// changed), and wake the scheduler. Called by <see cref="UploadWriter.ReleaseAsync"/>.</summary>
    internal async Task<long?> CloseWriterAsync(UploadWriter writer, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_writers.TryGetValue(writer.PathKey, out var current) && ReferenceEquals(current, writer))
            {
                _writers.Remove(writer.PathKey);
            }

            if (writer.IsCancelled || (!writer.IsDirty && writer.DiscardIfClean))
            {
                writer.Staging.Dispose();
                if (!writer.IsCancelled)
                {
                    await _journal.WriteAsync((c, tx) => UploadJobTable.Delete(c, tx, writer.JobId), ct).ConfigureAwait(false);
                }

                File.Delete(writer.Staging.FullPath);
                return null;
            }

            writer.Staging.FlushToDisk();
            if (writer.HasStreamed)
            {
                _streamedWriters[writer.JobId] = writer;
            }

            var (size, sourceLength, ranges) = writer.Staging.Snapshot();
            // A file that streamed fragments is wanted soon (large cp), but not before a short quiet time: rsync
            // sets the mtime (SETATTR) right after close, and a finish already sent would carry the old
            // client_modified for good (Dropbox ignores a later upload of identical content). Others wait out
            // the write-back delay so rapid re-saves and rename-after-write coalesce.
            // With sync-uploads the caller waits anyway, so the delay would only add latency to close.
            var delay = writer.HasStreamed ? Math.Min(_options.WriteBackDelay.TotalMilliseconds, StreamedQuietTime.TotalMilliseconds)
                : _options.WriteBackDelay.TotalMilliseconds;
            var due = _options.SyncUploads ? NowMs : NowMs + (long)delay;
            var id = writer.JobId;
            await _journal.WriteAsync((c, tx) =>
                UploadJobTable.UpdateContent(c, tx, id, UploadState.Staged, size, sourceLength, ranges, writer.ClientModified, due), ct).ConfigureAwait(false);
            writer.Staging.Dispose();
            return id;
        }
        finally
        {
            _gate.Release();
            NotifyChanged();
        }
    }

    /// <summary>Pause between the release of a streamed file and its finish. rsync's utimens follows close(2) within
    /// a few ms (the kernel's RELEASE is asynchronous to close, so the SETATTR may even come first); 300 ms
    /// covers a loaded machine and adds ~10% to a 256 MiB copy's commit time (~3 s), nothing to its throughput.</summary>
    internal static readonly TimeSpan StreamedQuietTime = TimeSpan.FromMilliseconds(300);

    /// <summary>fsync while open: data durable and the row current (still Writing).</summary>
    internal async Task SaveWriterAsync(UploadWriter writer, CancellationToken ct)
    {
        writer.Staging.FlushToDisk();
        var (size, sourceLength, ranges) = writer.Staging.Snapshot();
        var id = writer.JobId;
        var now = NowMs;
        await _journal.WriteAsync((c, tx) =>
            UploadJobTable.UpdateContent(c, tx, id, UploadState.Writing, size, sourceLength, ranges, writer.ClientModified, now), ct).ConfigureAwait(false);
    }

    /// <summary>Session progress: an ack is saved without an fsync (32 fsyncs per 256 MiB cost ~0.5 s on a busy disk);
    /// after a power cut the resume starts from an older offset and the server's correct_offset fixes it. Dropping
    /// a session (null) is durable: a restart must never commit stale session bytes.</summary>
    internal ValueTask SaveSessionAsync(long jobId, string? sessionId, long offset, CancellationToken ct) => sessionId is null
        ? _journal.WriteAsync((c, tx) => { UploadJobTable.UpdateSession(c, tx, jobId, sessionId, offset); }, ct)
        : _journal.WriteRelaxedAsync((c, tx) => UploadJobTable.UpdateSession(c, tx, jobId, sessionId, offset), ct);

    internal void RegisterPump(long jobId, Task pump) => _pumps[jobId] = pump;

    /// <summary>The prefix hash a closed streaming writer built, for the upload of its job (then forgotten).</summary>
    internal (ContentHash Hasher, long Offset)? TakePrefixHash(UploadJob job) =>
        _streamedWriters.TryRemove(job.Id, out var writer) ? writer.TakePrefixHash(job.SessionId, job.SessionOffset) : null;

    internal void ForgetStreamedWriter(long jobId)
    {
        if (_streamedWriters.TryRemove(jobId, out var writer))
        {
            writer.TakePrefixHash(null, 0); // disposes the hasher
        }
    }

    internal CancellationToken StopToken => _stop.Token;
}
