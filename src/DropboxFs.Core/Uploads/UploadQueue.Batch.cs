using System.Collections.Concurrent;
using DropboxFs.Api;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Uploads;

/// <summary>
/// Small files: each gets its own closed session (start with data, close=true; ParallelSessions at a
/// time), and one finish_batch_v2 commits them all. too_many_write_operations on an entry is retried in
/// the next batch without counting as a try and without being shown. A finish with an unknown outcome
/// is checked by content_hash instead of being repeated blindly.
/// </summary>
public sealed partial class UploadQueue
{
    private sealed record Prepared(UploadJob Job, UploadSessionCursor Cursor, string Hash, string StagingFile);

    private async Task RunBatchAsync(List<UploadJob> rows, CancellationToken ct)
    {
        try
        {
            var prepared = new ConcurrentBag<Prepared>();
            await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = _options.ParallelSessions, CancellationToken = ct },
                async (row, token) =>
                {
                    try
                    {
                        if (await PrepareSmallAsync(row, token).ConfigureAwait(false) is { } p)
                        {
                            prepared.Add(p);
                        }
                    }
                    catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        await RecordFailureAsync(row.Id, e).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            if (!prepared.IsEmpty)
            {
                await FinishBatchAsync([.. prepared.OrderBy(p => p.Job.Id)], ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Force stop: rows keep their closed sessions; the next start finishes them.
        }
        finally
        {
            await ReleaseInFlightAsync(rows.Select(r => r.Id)).ConfigureAwait(false);
        }
    }

    private async Task<Prepared?> PrepareSmallAsync(UploadJob row, CancellationToken ct)
    {
        if (_pumps.TryRemove(row.Id, out var pump))
        {
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // an abandoned stream's last save
        }

        if (_journal.Jobs.Get(row.Id) is not { } job)
        {
            File.Delete(StagingPath(row.Staging)); // unlinked meanwhile; the unlink left it to us
            return null;
        }

        var path = StagingPath(job.Staging);
        using var staging = StagingFile.Open(path, job.Size, job.SourceLength, job.Ranges, create: false);
        var hash = await PrepareAsync(job, staging, ct).ConfigureAwait(false);
        if (hash is null)
        {
            return null;
        }

        if (job.SessionId is { } sid && job.State == UploadState.Committing && job.SessionOffset == staging.Size && job.ContentHash == hash)
        {
            return new Prepared(job, new UploadSessionCursor(sid, job.SessionOffset), hash, path);
        }

        var data = new byte[staging.Size];
        await staging.ReadFullyAsync(0, data, ct).ConfigureAwait(false);
        var cursor = await _client.StartUploadSessionAsync(data, close: true, ct).ConfigureAwait(false);
        await _journal.WriteAsync((c, tx) =>
        {
            UploadJobTable.UpdateSession(c, tx, job.Id, cursor.SessionId, cursor.Offset);
            if (UploadJobTable.Get(c, tx, job.Id) is { } current)
            {
                UploadJobTable.Update(c, tx, current with { State = UploadState.Committing });
            }
        }, ct).ConfigureAwait(false);
        return new Prepared(job, cursor, hash, path);
    }

    private async Task FinishBatchAsync(List<Prepared> prepared, CancellationToken ct)
    {
        // Re-read: a rename may have re-targeted a job, or an unlink cancelled it, while sessions started.
        var live = new List<(Prepared P, UploadJob Row)>();
        foreach (var p in prepared)
        {
            if (_journal.Jobs.Get(p.Job.Id) is { } row)
            {
                live.Add((p, row));
            }
            else
            {
                File.Delete(p.StagingFile);
            }
        }

        if (live.Count == 0)
        {
            return;
        }

        IReadOnlyList<UploadSessionFinishResult> results;
        try
        {
            results = await _client.FinishUploadSessionBatchAsync(
                live.Select(l => new UploadSessionFinishEntry(l.P.Cursor, l.Row.Path, CommitOptions(l.Row))).ToList(), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            _log.LogInformation("finish_batch_v2 of {Count} file(s) had an unknown outcome ({Error}); checking each", live.Count, e.Message);
            await VerifyBatchAsync(live, e, ct).ConfigureAwait(false);
            return;
        }

        for (var i = 0; i < live.Count; i++)
        {
            var (p, row) = live[i];
            var result = i < results.Count ? results[i] : null;
            if (result?.Metadata is { } meta)
            {
                await CompleteAsync(row, meta, p.StagingFile, ct).ConfigureAwait(false);
            }
            else if (result?.Failure is { } failure)
            {
                await HandleEntryFailureAsync(row, failure, ct).ConfigureAwait(false);
            }
            else
            {
                await RecordFailureAsync(row.Id, new InvalidDataException("finish_batch_v2 returned fewer entries than sent")).ConfigureAwait(false);
            }
        }
    }

    private async Task HandleEntryFailureAsync(UploadJob row, DropboxApiException failure, CancellationToken ct)
    {
        if (failure.IsRateLimited)
        {
            await RecordFailureAsync(row.Id, failure, invisible: true).ConfigureAwait(false);
            return;
        }

        if (failure.HasTag("lookup_failed"))
        {
            // The session is unusable (expired, consumed, offset mismatch): start a new one next time.
            await SaveSessionAsync(row.Id, null, 0, ct).ConfigureAwait(false);
            await RecordFailureAsync(row.Id, new IOException($"upload session lost ({failure.TagPath}); sending again"), invisible: true).ConfigureAwait(false);
            return;
        }

        await RecordFailureAsync(row.Id, failure).ConfigureAwait(false);
    }

    private async Task VerifyBatchAsync(List<(Prepared P, UploadJob Row)> live, Exception cause, CancellationToken ct)
    {
        foreach (var (p, row) in live)
        {
            try
            {
                if (await _client.TryGetMetadataAsync(row.Path, ct: ct).ConfigureAwait(false) is FileMetadata remote
                    && string.Equals(remote.ContentHash, p.Hash, StringComparison.OrdinalIgnoreCase))
                {
                    await CompleteAsync(row, remote, p.StagingFile, ct).ConfigureAwait(false);
                    continue;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                _log.LogDebug("Checking {Path} after an unknown batch outcome failed: {Error}", row.Path, e.Message);
            }

            await RecordFailureAsync(row.Id, cause).ConfigureAwait(false);
        }
    }
}
