using DropboxFs.Api;
using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Sync;

/// <summary>
/// Keeps the metadata current: one recursive cursor over the mounted scope, taken at the first
/// mount and resumed after a restart; a long-poll loop that reads changes with
/// list_folder/continue and applies them page by page.
/// </summary>
internal sealed class SyncEngine(
    DropboxClient client,
    MetadataDatabase db,
    ChangeApplier applier,
    ApiCallCounter calls,
    string scopePath,
    IProgress<IndexProgress>? progress,
    TimeProvider time,
    ILogger logger) : IAsyncDisposable
{
    // 60 s long-poll: Dropbox allows 30–480; shorter recovers sooner from a silently dead connection.
    private static readonly TimeSpan s_longpollTimeout = TimeSpan.FromSeconds(60);

    // After a failure: 1 s, doubling to 60 s, so an outage costs one request a minute.
    private static readonly TimeSpan s_maxRetryDelay = TimeSpan.FromSeconds(60);

    private readonly SyncStateTable _state = new(db);
    private readonly SemaphoreSlim _drainLock = new(1, 1);
    private readonly SemaphoreSlim _initLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private string? _cursor;

    public DateTimeOffset? CursorTakenAt { get; private set; }

    public long Resets { get; private set; }

    public long LoopErrors { get; private set; }

    public bool IsRunning => _loop is { IsCompleted: false };

    /// <summary>Takes a cursor (or resumes the stored one) without starting the loop.</summary>
    public async Task InitializeAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _cursor) is not null)
        {
            return;
        }

        await _initLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_cursor is null)
            {
                await InitializeLockedAsync(ct).ConfigureAwait(false);
            }
        }
        finally
        {
            _initLock.Release();
        }
    }

    private async Task InitializeLockedAsync(CancellationToken ct)
    {
        if (_state.Get(SyncStateTable.CursorTakenAt) is { } taken && DateTimeOffset.TryParse(taken, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var at))
        {
            CursorTakenAt = at;
        }

        if (_state.Get(SyncStateTable.Cursor) is { } stored)
        {
            logger.LogInformation("Resuming change feed from the stored cursor (taken {TakenAt})", CursorTakenAt);
            Volatile.Write(ref _cursor, stored);
            return;
        }

        calls.Count("files/list_folder/get_latest_cursor");
        var cursor = await client.GetLatestCursorAsync(scopePath, new ListFolderOptions { Recursive = true }, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        await db.WriteAsync((c, tx) =>
        {
            SyncStateTable.Set(c, tx, SyncStateTable.Cursor, cursor);
            SyncStateTable.Set(c, tx, SyncStateTable.CursorTakenAt, now.ToString("O"));
        }, ct).ConfigureAwait(false);
        CursorTakenAt = now;
        Volatile.Write(ref _cursor, cursor);
    }

    public void Start()
    {
        _loop ??= Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Reads and applies every change since the cursor (all pages). Returns the number of entries.</summary>
    public async Task<int> DrainAsync(CancellationToken ct)
    {
        await _drainLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var total = 0;
            while (true)
            {
                calls.Count("files/list_folder/continue");
                var page = await client.ListFolderContinueAsync(_cursor ?? throw new InvalidOperationException("no cursor"), ct).ConfigureAwait(false);
                var changes = page.Entries.Select(RemoteEntries.ToChange).ToList();
                await applier.ApplyFeedPageAsync(changes, page.Cursor, ct).ConfigureAwait(false);
                _cursor = page.Cursor;
                total += changes.Count;
                if (!page.HasMore)
                {
                    if (total > 0)
                    {
                        progress?.Report(new IndexProgress("changes", total, Completed: true));
                    }

                    return total;
                }

                progress?.Report(new IndexProgress("changes", total, Completed: false));
            }
        }
        catch (DropboxApiException e) when (e.IsReset)
        {
            await ResetLockedAsync(ct).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            _drainLock.Release();
        }
    }

    private async Task ResetLockedAsync(CancellationToken ct)
    {
        logger.LogWarning("The change cursor was reset by the server; every folder will be relisted on access");
        calls.Count("files/list_folder/get_latest_cursor");
        var cursor = await client.GetLatestCursorAsync(scopePath, new ListFolderOptions { Recursive = true }, ct).ConfigureAwait(false);
        await applier.ApplyResetAsync(cursor, ct).ConfigureAwait(false);
        _cursor = cursor;
        CursorTakenAt = time.GetUtcNow();
        Resets++;
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var delay = TimeSpan.FromSeconds(1);
        var needsReset = false;
        var needsDrain = true; // a warm restart may have changes waiting behind the stored cursor
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (needsReset)
                {
                    await ResetUnderLockAsync(stop).ConfigureAwait(false);
                    needsReset = false;
                }

                if (needsDrain)
                {
                    await DrainAsync(stop).ConfigureAwait(false);
                    needsDrain = false;
                }

                calls.Count("files/list_folder/longpoll");
                var result = await client.WaitForChangesAsync(_cursor!, s_longpollTimeout, stop).ConfigureAwait(false);
                delay = TimeSpan.FromSeconds(1);

                // No changes: long-poll again (the client itself waits out any backoff first).
                needsDrain = result.Changes;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (DropboxApiException e) when (e.IsReset)
            {
                // Only the long-poll gets here (DrainAsync handles its own resets).
                logger.LogDebug(e, "Long-poll reported a cursor reset");
                needsReset = true;
            }
            catch (Exception e)
            {
                // Loop root: log, wait, go on. Metadata is rebuildable, so no user data is at risk here.
                LoopErrors++;
                needsDrain = true;
                logger.LogWarning(e, "Change feed failed; retrying in {Delay}", delay);
                try
                {
                    await Task.Delay(delay, time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, s_maxRetryDelay.Ticks));
            }
        }
    }

    private async Task ResetUnderLockAsync(CancellationToken ct)
    {
        await _drainLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await ResetLockedAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _drainLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }
}
