using DropboxFs.Api;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Uploads;

/// <summary>
/// The scheduler loop: picks due rows (the oldest row of each path only, so generations run in order
/// and one job per file is in flight), runs large ones as single session uploads (up to
/// MaxConcurrentUploads) and gathers small ones into one batch at a time (one finish_batch_v2 in flight).
/// </summary>
public sealed partial class UploadQueue
{
    private readonly List<Task> _running = [];
    private Task _batch = Task.CompletedTask;

    private async Task RunLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var wake = _wake.Next;
            TimeSpan? wait;
            try
            {
                wait = await DispatchAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Loop root: a journal error must not kill the queue; the rows stay and are retried.
                _log.LogError(e, "Upload scheduler pass failed; retrying in 1 s");
                wait = TimeSpan.FromSeconds(1);
            }

            using var delayCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var tasks = new List<Task> { wake };
            if (wait is { } w)
            {
                tasks.Add(Task.Delay(w < TimeSpan.Zero ? TimeSpan.Zero : w, _time, delayCts.Token));
            }

            tasks.Add(Task.Delay(Timeout.InfiniteTimeSpan, ct));
            await Task.WhenAny(tasks).ConfigureAwait(false);
            await delayCts.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>One pass; returns how long until the next row is due (null = nothing waiting on time).</summary>
    private async Task<TimeSpan?> DispatchAsync(CancellationToken ct)
    {
        var now = NowMs;
        long? nextDue = null;
        var small = new List<UploadJob>();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            lock (_running)
            {
                _running.RemoveAll(t => t.IsCompleted);
            }

            var rows = _journal.Jobs.All();
            var busyKeys = rows.Where(r => _inFlight.Contains(r.Id)).Select(r => r.PathKey).ToHashSet(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var batchFree = _batch.IsCompleted;
            foreach (var row in rows)
            {
                if (!seen.Add(row.PathKey) || row.State == UploadState.Writing || busyKeys.Contains(row.PathKey))
                {
                    continue; // an older job of this file (or an open handle) goes first
                }

                if (row.DueAt > now)
                {
                    nextDue = Math.Min(nextDue ?? long.MaxValue, row.DueAt);
                    continue;
                }

                if (IsSmall(row))
                {
                    if (batchFree && small.Count < _options.BatchSize)
                    {
                        _inFlight.Add(row.Id);
                        small.Add(row);
                    }
                }
                else if (RunningCount() < _options.MaxConcurrentUploads)
                {
                    _inFlight.Add(row.Id);
                    Track(Task.Run(() => RunLargeAsync(row, ct), CancellationToken.None));
                }
            }

            if (small.Count > 0)
            {
                _batch = Task.Run(() => RunBatchAsync(small, ct), CancellationToken.None);
                Track(_batch);
            }
        }
        finally
        {
            _gate.Release();
        }

        return nextDue is { } due ? TimeSpan.FromMilliseconds(due - now) : null;
    }

    private bool IsSmall(UploadJob row) =>
        row.Size <= _options.SmallFileMax && (row.SessionId is null || (row.State == UploadState.Committing && row.SessionOffset == row.Size));

    private int RunningCount()
    {
        lock (_running)
        {
            return _running.Count(t => !t.IsCompleted && t != _batch);
        }
    }

    private void Track(Task task)
    {
        lock (_running)
        {
            _running.Add(task);
        }
    }

    private async Task WaitForRunningAsync()
    {
        Task[] tasks;
        lock (_running)
        {
            tasks = [.. _running];
        }

        foreach (var task in tasks)
        {
            await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RunLargeAsync(UploadJob row, CancellationToken ct)
    {
        try
        {
            await UploadLargeAsync(row, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Force stop: the row keeps its session and offset for the next start.
        }
        catch (Exception e)
        {
            await RecordFailureAsync(row.Id, e).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseInFlightAsync([row.Id]).ConfigureAwait(false);
        }
    }

    private async Task ReleaseInFlightAsync(IEnumerable<long> ids)
    {
        await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            foreach (var id in ids)
            {
                _inFlight.Remove(id);
            }
        }
        finally
        {
            _gate.Release();
        }

        NotifyChanged();
    }

    /// <summary>Transient → back-off and retry in the same state; quota and refused writes → Failed
    /// (kept, shown, retried after FailedRetryDelay). Nothing is ever dropped.</summary>
    internal async Task RecordFailureAsync(long id, Exception e, bool invisible = false)
    {
        var api = e as DropboxApiException;
        // A staging file that vanished (deleted by hand) cannot heal by retrying: shown as failed.
        var permanent = (api is not null && !api.IsTransient) || e is FileNotFoundException;
        var noSpace = api?.IsInsufficientSpace == true;
        UploadJob? updated = null;
        await _journal.WriteAsync((c, tx) =>
        {
            var job = UploadJobTable.Get(c, tx, id);
            if (job is null)
            {
                return;
            }

            var tries = invisible ? job.Tries : job.Tries + 1;
            var delay = permanent ? _options.FailedRetryDelay : Backoff(tries);
            if (api?.RetryAfter is { } after && after > delay)
            {
                delay = after;
            }

            updated = job with
            {
                State = permanent ? UploadState.Failed : job.State,
                Tries = tries,
                LastError = Describe(e),
                NoSpace = noSpace,
                DueAt = NowMs + (long)delay.TotalMilliseconds,
            };
            UploadJobTable.Update(c, tx, updated);
        }, CancellationToken.None).ConfigureAwait(false);
        if (updated is null)
        {
            return;
        }

        if (invisible)
        {
            _log.LogDebug("Upload of {Path} deferred: {Error}", updated.Path, updated.LastError);
        }
        else if (permanent)
        {
            _log.LogError("Upload of {Path} failed: {Error}. It stays queued and is retried; see `dropboxfs status`", updated.Path, updated.LastError);
            if (_waiters.TryRemove(id, out var waiter))
            {
                waiter.TrySetResult(ToStatus(updated));
            }
        }
        else
        {
            _log.LogWarning("Upload of {Path} will be retried (try {Tries}): {Error}", updated.Path, updated.Tries, updated.LastError);
        }
    }

    private TimeSpan Backoff(int tries)
    {
        var ms = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(tries - 1, 20));
        return TimeSpan.FromMilliseconds(Math.Min(ms, _options.RetryMaxDelay.TotalMilliseconds));
    }

    private static string Describe(Exception e) => e switch
    {
        DropboxApiException { IsInsufficientSpace: true } => "insufficient_space: the Dropbox account is full; free space or raise the quota",
        DropboxApiException api => api.TagPath is { Length: > 0 } tags ? $"{tags} ({api.StatusCode})" : api.Message,
        _ => e.Message,
    };
}
