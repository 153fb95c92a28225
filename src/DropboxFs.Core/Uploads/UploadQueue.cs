using System.Collections.Concurrent;
using DropboxFs.Api;
using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Core.Uploads;

/// <summary>
/// The write-back upload subsystem: staging files, the durable journal and the background scheduler.
/// The facade opens an <see cref="UploadWriter"/> per file opened for writing, and tells the queue
/// about renames and unlinks of pending files. See README.md for the state machine.
/// </summary>
/// <remarks>
/// Lock order: <see cref="_gate"/> → a writer's stream gate → <c>SqliteDatabase._writeLock</c>.
/// Nothing holding <see cref="_gate"/> awaits the network.
/// </remarks>
public sealed partial class UploadQueue : IAsyncDisposable
{
    private readonly DropboxClient _client;
    private readonly UploadQueueOptions _options;
    private readonly UploadJournal _journal;
    private readonly IBaseContentReader _baseReader;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _stagingDir;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, UploadWriter> _writers = new(StringComparer.Ordinal);
    private readonly HashSet<long> _inFlight = [];
    private readonly ConcurrentDictionary<long, Task> _pumps = new();
    private readonly ConcurrentDictionary<long, UploadWriter> _streamedWriters = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<UploadJobStatus>> _waiters = new();
    private readonly AsyncSignal _wake = new();
    private readonly AsyncSignal _changed = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private UploadQueue(DropboxClient client, UploadQueueOptions options, UploadJournal journal)
    {
        _client = client;
        _options = options;
        _journal = journal;
        _baseReader = options.BaseReader ?? new DropboxBaseContentReader(client);
        _time = options.TimeProvider;
        _log = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<UploadQueue>();
        _stagingDir = System.IO.Path.Combine(options.StateDirectory, "staging");
    }

    internal UploadJournal Journal => _journal;

    internal IBaseContentReader BaseReader => _baseReader;

    internal UploadQueueOptions Options => _options;

    internal DropboxClient Client => _client;

    internal ILogger Log => _log;

    /// <summary>Opens the journal in the state folder, turns rows interrupted while open into staged
    /// ones, and starts the scheduler: every row that is not committed resumes.</summary>
    internal static async Task<UploadQueue> OpenAsync(DropboxClient client, UploadQueueOptions options, CancellationToken ct = default)
    {
        Directory.CreateDirectory(options.StateDirectory);
        Directory.CreateDirectory(System.IO.Path.Combine(options.StateDirectory, "staging"));
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger<UploadQueue>();
        var journal = UploadJournal.Open(System.IO.Path.Combine(options.StateDirectory, "uploads.db"), logger);
        var queue = new UploadQueue(client, options, journal);
        await queue.RecoverAsync(ct).ConfigureAwait(false);
        queue._loop = Task.Run(() => queue.RunLoopAsync(queue._stop.Token), CancellationToken.None);
        return queue;
    }

    private async Task RecoverAsync(CancellationToken ct)
    {
        var now = NowMs;
        var interrupted = await _journal.WriteAsync((c, tx) =>
        {
            var n = 0;
            foreach (var job in UploadJobTable.All(c, tx).Where(j => j.State == UploadState.Writing))
            {
                // The handle was open when the process died: upload what reached the staging file. It holds
                // at least everything the application fsynced, as a local disk would after a power cut.
                UploadJobTable.Update(c, tx, RecoverOpenJob(job) with { State = UploadState.Staged, DueAt = now });
                n++;
            }

            return n;
        }, ct).ConfigureAwait(false);
        var rows = _journal.Jobs.All();
        if (interrupted > 0)
        {
            _log.LogWarning("{Count} file(s) were open for writing when DropboxFs stopped; their staged data will be uploaded", interrupted);
        }

        var known = rows.Select(r => r.Staging).ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.GetFiles(_stagingDir).Count(f => !known.Contains(System.IO.Path.GetFileName(f)));
        if (orphans > 0)
        {
            // Never deleted automatically: they may be the only copy of something. Reported for the user.
            _log.LogWarning("{Count} staging file(s) in {Folder} belong to no pending upload; they are kept, delete them if not needed", orphans, _stagingDir);
        }

        if (rows.Count > 0)
        {
            _log.LogInformation("Resuming {Count} pending upload(s) from {Journal}", rows.Count, _journal.Path);
        }
    }

    /// <summary>A row left open by a crash describes the last fsync only. Without base bytes (new or
    /// truncated file) the staging file itself is authoritative, so everything that reached it is kept;
    /// with a base, unknown ranges cannot be told from holes and the last fsynced state is used.</summary>
    private UploadJob RecoverOpenJob(UploadJob job)
    {
        var file = new FileInfo(StagingPath(job.Staging));
        if (job.SourceLength > 0 || !file.Exists || file.Length <= job.Size)
        {
            return job;
        }

        var ranges = new Blocks.RangeSet();
        ranges.Add(0, file.Length);
        return job with { Size = file.Length, Ranges = ranges.Serialize() };
    }

    internal long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    internal string StagingPath(string name) => System.IO.Path.Combine(_stagingDir, name);

    /// <summary>Pending jobs, oldest first, for <c>dropboxfs status</c>.</summary>
    public IReadOnlyList<UploadJobStatus> GetStatus() =>
        _journal.Jobs.All().Select(ToStatus).ToList();

    /// <summary>Commits that went to a conflicted copy (or another name) instead of their target.</summary>
    public IReadOnlyList<UploadConflict> GetConflicts() => _journal.Conflicts.All();

    /// <summary>True while some job is failed with insufficient_space: the account is full, so the facade
    /// answers ENOSPC at fsync/close of further writes (they stay queued all the same).</summary>
    public bool IsQuotaExceeded => _journal.Jobs.AnyNoSpace();

    /// <summary>True when a job for exactly this path is not committed yet.</summary>
    public bool HasPending(string path)
    {
        var key = PathKey.Normalize(path);
        return _journal.Jobs.ForKey(key).Count > 0;
    }

    /// <summary>The newest pending job of a path (the facade answers ENOSPC at fsync/close when it has NoSpace).</summary>
    public UploadJobStatus? GetPending(string path)
    {
        var key = PathKey.Normalize(path);
        return _journal.Jobs.ForKey(key).Select(ToStatus).LastOrDefault();
    }

    /// <summary>The rev the newest pending job of a path will replace (null: none, or a new file). A file created
    /// here and renamed over an existing one carries the replaced rev only in its job.</summary>
    internal string? PendingBaseRev(string path) => _journal.Jobs.ForKey(PathKey.Normalize(path)).LastOrDefault()?.BaseRev;

    /// <summary>Waits until job <paramref name="jobId"/> is committed or has failed permanently (quota,
    /// refused name); transient errors keep it waiting while the queue retries.</summary>
    public Task<UploadJobStatus> WaitForJobAsync(long jobId, CancellationToken ct = default)
    {
        var tcs = _waiters.GetOrAdd(jobId, _ => new TaskCompletionSource<UploadJobStatus>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_journal.Jobs.Get(jobId) is null)
        {
            // Already committed (or cancelled) before we looked.
            tcs.TrySetResult(new UploadJobStatus(jobId, "", UploadState.Committed, 0, 0, 0, null, false));
        }

        return tcs.Task.WaitAsync(ct);
    }

    /// <summary>Makes every waiting row due now (failed rows included): after the user raised the quota,
    /// or at unmount so the write-back delay is not waited out.</summary>
    public async Task RetryNowAsync(CancellationToken ct = default)
    {
        var now = NowMs;
        await _journal.WriteAsync((c, tx) =>
        {
            foreach (var job in UploadJobTable.All(c, tx).Where(j => j.State != UploadState.Writing && j.DueAt > now))
            {
                UploadJobTable.Update(c, tx, job with { DueAt = now });
            }
        }, ct).ConfigureAwait(false);
        _wake.Pulse();
    }

    /// <summary>Waits until every row is committed or failed, reporting progress after each change.
    /// Cancelling (unmount --force) leaves the rows for the next start.</summary>
    public async Task DrainAsync(IProgress<UploadDrainProgress>? progress, CancellationToken ct = default)
    {
        await RetryPendingNowAsync(ct).ConfigureAwait(false);
        while (true)
        {
            var changed = _changed.Next;
            var rows = _journal.Jobs.All();
            var failed = rows.Count(r => r.State == UploadState.Failed);
            var pending = rows.Count - failed;
            progress?.Report(new UploadDrainProgress(pending, failed, rows.Where(r => r.State != UploadState.Failed).Sum(r => r.Size - r.SessionOffset)));
            if (pending == 0)
            {
                return;
            }

            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>Unmount: the write-back delay and transient back-offs are not waited out.</summary>
    private async Task RetryPendingNowAsync(CancellationToken ct)
    {
        var now = NowMs;
        await _journal.WriteAsync((c, tx) =>
        {
            foreach (var job in UploadJobTable.All(c, tx).Where(j => j.State is not (UploadState.Writing or UploadState.Failed) && j.DueAt > now))
            {
                UploadJobTable.Update(c, tx, job with { DueAt = now });
            }
        }, ct).ConfigureAwait(false);
        _wake.Pulse();
    }

    internal void NotifyChanged()
    {
        _changed.Pulse();
        _wake.Pulse();
    }

    private static UploadJobStatus ToStatus(UploadJob j) =>
        new(j.Id, j.Path, j.State, j.Size, j.SessionOffset, j.Tries, j.LastError, j.NoSpace, j.ClientModified);

    /// <summary>Force stop: in-flight transfers are cancelled and every row stays for the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await WaitForRunningAsync().ConfigureAwait(false);
        foreach (var pump in _pumps.Values)
        {
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _journal.Dispose();
        _stop.Dispose();
    }
}
