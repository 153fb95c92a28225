using System.Buffers;
using System.Diagnostics;
using DropboxFs.Api;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Uploads;

/// <summary>A large job: one sequential session, resumed from the journal's (id, offset), then finish.</summary>
public sealed partial class UploadQueue
{
    private long _prefixHashReuses;
    private int _streamingFiles;

    /// <summary>Takes one of <see cref="UploadQueueOptions.MaxStreamingFiles"/> pump slots (false when all are taken).</summary>
    internal bool TryEnterStreaming()
    {
        while (true)
        {
            var current = Volatile.Read(ref _streamingFiles);
            if (current >= _options.MaxStreamingFiles)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _streamingFiles, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    internal void ExitStreaming() => Interlocked.Decrement(ref _streamingFiles);

    /// <summary>Pumps running now (tests).</summary>
    internal int StreamingFiles => Volatile.Read(ref _streamingFiles);

    /// <summary>Uploads whose content_hash continued the hash the streaming pump built (tests).</summary>
    internal long PrefixHashReuses => Interlocked.Read(ref _prefixHashReuses);

    // finish/incorrect_offset loops are bounded: each pass either advances or restarts the session.
    private const int MaxFinishAttempts = 5;

    private async Task UploadLargeAsync(UploadJob row, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        if (_pumps.TryRemove(row.Id, out var pump))
        {
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var pumped = Stopwatch.GetElapsedTime(started);

        if (_journal.Jobs.Get(row.Id) is not { } job)
        {
            File.Delete(StagingPath(row.Staging)); // cancelled (unlinked) meanwhile; the unlink left it to us
            return;
        }

        using var staging = StagingFile.Open(StagingPath(job.Staging), job.Size, job.SourceLength, job.Ranges, create: false);
        var hash = await PrepareAsync(job, staging, ct, TakePrefixHash(job)).ConfigureAwait(false);
        if (hash is null)
        {
            return;
        }

        var prepared = Stopwatch.GetElapsedTime(started);
        var size = staging.Size;
        var cursor = job.SessionId is { } sid ? new UploadSessionCursor(sid, Math.Min(job.SessionOffset, size)) : null;
        var resumedAt = cursor?.Offset ?? 0;
        await SetStateAsync(job.Id, UploadState.Uploading, ct).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(_options.FragmentSize);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                cursor = await SendFragmentsAsync(job.Id, staging, cursor, size, buffer, ct).ConfigureAwait(false);
                await SetStateAsync(job.Id, UploadState.Committing, ct).ConfigureAwait(false);
                var current = _journal.Jobs.Get(job.Id);
                if (current is null)
                {
                    File.Delete(staging.FullPath); // unlinked before the commit: nothing goes up
                    return;
                }

                try
                {
                    var sent = Stopwatch.GetElapsedTime(started);
                    var meta = await _client.FinishUploadSessionAsync(cursor, current.Path, CommitOptions(current), hash, ct).ConfigureAwait(false);
                    await CompleteAsync(current, meta, staging.FullPath, ct).ConfigureAwait(false);
                    _log.LogDebug("Upload of {Path} ({Size} bytes, resumed at {Resumed}): pump done {Pump:F0} ms, hashed {Prepared:F0} ms, tail sent {Sent:F0} ms, committed {Done:F0} ms after the start",
                        current.Path, size, resumedAt, pumped.TotalMilliseconds, prepared.TotalMilliseconds, sent.TotalMilliseconds, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    return;
                }
                catch (DropboxApiException e) when (e.HasTag("lookup_failed") && attempt < MaxFinishAttempts)
                {
                    if (e.IsIncorrectOffset && e.CorrectOffset is { } correct && correct <= size)
                    {
                        _log.LogInformation("Session of {Path} holds {Correct} bytes, not {Offset}; continuing from there", current.Path, correct, cursor.Offset);
                        cursor = cursor with { Offset = correct };
                    }
                    else
                    {
                        _log.LogInformation("Session of {Path} is gone ({Error}); uploading again from 0", current.Path, e.TagPath);
                        cursor = null;
                    }

                    await SaveSessionAsync(job.Id, cursor?.SessionId, cursor?.Offset ?? 0, ct).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Appends [cursor.Offset, size) fragment by fragment, saving the cursor after every ack.</summary>
    private async Task<UploadSessionCursor> SendFragmentsAsync(long id, StagingFile staging, UploadSessionCursor? cursor, long size, byte[] buffer, CancellationToken ct)
    {
        while (cursor is null || cursor.Offset < size)
        {
            var offset = cursor?.Offset ?? 0;
            var n = (int)Math.Min(_options.FragmentSize, size - offset);
            await staging.ReadFullyAsync(offset, buffer.AsMemory(0, n), ct).ConfigureAwait(false);
            try
            {
                cursor = cursor is null
                    ? await _client.StartUploadSessionAsync(buffer.AsMemory(0, n), close: false, ct).ConfigureAwait(false)
                    : await _client.AppendUploadSessionAsync(cursor, buffer.AsMemory(0, n), close: false, ct).ConfigureAwait(false);
            }
            catch (DropboxApiException e) when (cursor is not null && e.IsIncorrectOffset && e.CorrectOffset is { } correct && correct <= size)
            {
                // The server holds a different amount than we saved (an ack lost before the save): trust it.
                _log.LogInformation("Session {Session}: server holds {Correct} bytes, we had {Offset}", cursor.SessionId, correct, cursor.Offset);
                cursor = cursor with { Offset = correct };
            }
            catch (DropboxApiException e) when (cursor is not null && (e.IsNotFound || e.HasTag("closed") || e.IsIncorrectOffset))
            {
                // Expired, closed, or holding more than this file (cannot be ours any more): start over.
                _log.LogInformation("Session {Session} unusable ({Error}); restarting the upload from 0", cursor.SessionId, e.TagPath);
                cursor = null;
                await SaveSessionAsync(id, null, 0, ct).ConfigureAwait(false);
                continue;
            }

            await SaveSessionAsync(id, cursor.SessionId, cursor.Offset, ct).ConfigureAwait(false);
            if (size == 0)
            {
                break;
            }
        }

        return cursor;
    }

    /// <summary>Fills base ranges, hashes the content and skips the upload when the server already has
    /// identical content at the target. Returns the content hash, or null when the job is finished.</summary>
    private async Task<string?> PrepareAsync(UploadJob job, StagingFile staging, CancellationToken ct, (ContentHash Hasher, long Offset)? prefix = null)
    {
        if (staging.MissingRanges().Count > 0)
        {
            prefix?.Hasher.Dispose();
            prefix = null;
            var rev = job.SourceRev ?? throw new InvalidOperationException($"Job {job.Id} has missing ranges but no source rev");
            await staging.FillFromSourceAsync(_baseReader, rev, ct).ConfigureAwait(false);
            staging.FlushToDisk();
            var (size, sourceLength, ranges) = staging.Snapshot();
            await _journal.WriteAsync((c, tx) =>
                UploadJobTable.UpdateContent(c, tx, job.Id, job.State, size, sourceLength, ranges, job.ClientModified, job.DueAt), ct).ConfigureAwait(false);
        }

        string hash;
        if (prefix is { } p && p.Offset <= staging.Size)
        {
            Interlocked.Increment(ref _prefixHashReuses);
            hash = await staging.ComputeContentHashAsync(p.Hasher, p.Offset, ct).ConfigureAwait(false);
        }
        else
        {
            prefix?.Hasher.Dispose();
            hash = await staging.ComputeContentHashAsync(ct).ConfigureAwait(false);
        }

        if (hash != job.ContentHash)
        {
            await _journal.WriteAsync((c, tx) =>
            {
                if (UploadJobTable.Get(c, tx, job.Id) is { } current)
                {
                    UploadJobTable.Update(c, tx, current with { ContentHash = hash });
                }
            }, ct).ConfigureAwait(false);
        }

        // A file that existed, or a job that may already have committed before a crash, is checked once:
        // identical content at the target is not uploaded again. Brand-new files skip this call.
        if (job.BaseRev is not null || job.SessionId is not null || job.Tries > 0)
        {
            var current = _journal.Jobs.Get(job.Id) ?? job;
            if (await _client.TryGetMetadataAsync(current.Path, ct: ct).ConfigureAwait(false) is FileMetadata remote
                && string.Equals(remote.ContentHash, hash, StringComparison.OrdinalIgnoreCase))
            {
                _log.LogDebug("{Path} already holds identical content; nothing uploaded", current.Path);
                await CompleteAsync(current, remote, staging.FullPath, ct).ConfigureAwait(false);
                return null;
            }
        }

        return hash;
    }

    /// <summary>update(base rev) + autorename: if someone else changed the file, Dropbox keeps theirs and
    /// stores ours as a conflicted copy. A new file is added (autorename on a name clash).</summary>
    internal static UploadOptions CommitOptions(UploadJob job) => new()
    {
        IfRevision = job.BaseRev,
        RenameIfExists = true,
        ClientModified = job.ClientModified,
        SkipIdenticalContent = false,
    };

    private async Task SetStateAsync(long id, UploadState state, CancellationToken ct)
    {
        await _journal.WriteAsync((c, tx) =>
        {
            if (UploadJobTable.Get(c, tx, id) is { } job && job.State != state)
            {
                UploadJobTable.Update(c, tx, job with { State = state });
            }
        }, ct).ConfigureAwait(false);
        _changed.Pulse();
    }
}
