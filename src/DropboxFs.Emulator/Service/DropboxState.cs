using System.Security.Cryptography;
using DropboxFs.Emulator.Model;
using DropboxFs.Emulator.Storage;

namespace DropboxFs.Emulator.Service;

/// <summary>
/// The emulated Dropbox account: metadata tables plus the blob store. Every method named
/// <c>…Locked</c> must run inside <see cref="RunAsync{T}"/>, which holds the one state lock
/// (SQLite work is short; content streaming happens outside it). Lock order: the state lock, then
/// nothing else.
/// </summary>
internal sealed partial class DropboxState : IDisposable
{
    public const string NamespaceId = "3735928559";

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly EmulatorDatabase _db;
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed = NewSignal();

    public DropboxState(string dataDirectory, TimeProvider time)
    {
        Directory.CreateDirectory(dataDirectory);
        _time = time;
        _db = new EmulatorDatabase(Path.Combine(dataDirectory, "metadata.db"));
        Blobs = new BlobStore(Path.Combine(dataDirectory, "content"));
        Meta = new MetaTable(_db);
        Entries = new EntryTable(_db);
        Revisions = new RevisionTable(_db);
        Changes = new ChangeLogTable(_db);
        Sessions = new UploadSessionTable(_db);
        Tokens = new TokenTable(_db);
        Links = new SharedLinkTable(_db);
        Epoch = Meta.Get("epoch") ?? NewEpochLocked();
    }

    public BlobStore Blobs { get; }

    public MetaTable Meta { get; }

    public EntryTable Entries { get; }

    public RevisionTable Revisions { get; }

    public ChangeLogTable Changes { get; }

    public UploadSessionTable Sessions { get; }

    public TokenTable Tokens { get; }

    public SharedLinkTable Links { get; }

    public EmulatorDatabase Database => _db;

    /// <summary>Baked into cursors; changes on reset so that old cursors get <c>reset</c>.</summary>
    public string Epoch { get; private set; }

    public long QuotaBytes { get; set; }

    /// <summary>Bytes of all live files, kept in step with every write so quota checks need no table scan.</summary>
    public long UsedBytesLocked => _usedBytes ??= Entries.TotalFileBytes();

    private long? _usedBytes;

    /// <summary>Adjusts <see cref="UsedBytesLocked"/> after a committed change.</summary>
    private void AddUsedLocked(long delta) => _usedBytes = UsedBytesLocked + delta;

    /// <summary>Completes at the next change (or epoch change). Read under the lock before checking.</summary>
    public Task ChangeSignal => _changed.Task;

    public long NowSeconds => _time.GetUtcNow().ToUnixTimeSeconds();

    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    public TimeProvider Time => _time;

    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken ct = default)
    {
        await _lock.WaitAsync(ct);
        try
        {
            return work();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Synchronous form for the in-process control API (a plain lock wait, no task blocking).</summary>
    public T Run<T>(Func<T> work)
    {
        _lock.Wait(CancellationToken.None);
        try
        {
            return work();
        }
        finally
        {
            _lock.Release();
        }
    }

    public Task RunAsync(Action work, CancellationToken ct = default) => RunAsync(() =>
    {
        work();
        return 0;
    }, ct);

    /// <summary>Wakes every long-poll. Call after each committed change.</summary>
    public void SignalChangeLocked()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    /// <summary>Invalidates every cursor handed out so far (longpoll and continue answer reset).</summary>
    public string NewEpochLocked()
    {
        Epoch = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        Meta.Set("epoch", Epoch);
        SignalChangeLocked();
        return Epoch;
    }

    /// <summary>Wipes the account: metadata, content, sessions and links. Tokens stay valid.</summary>
    public void ResetLocked()
    {
        _db.InTransaction(() =>
        {
            Entries.Clear();
            Revisions.Clear();
            Changes.Clear();
            Sessions.Clear();
            Links.Clear();
            return 0;
        });
        Blobs.Clear();
        _usedBytes = 0;
        NewEpochLocked();
    }

    public static string NewId() => "id:" + Base64Url(RandomNumberGenerator.GetBytes(16));

    /// <summary>A rev: 17 lower-case hex digits (the spec wants ≥9, [0-9a-f]+).</summary>
    public static string NewRev() => "0" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public static string NewOpaque(int bytes = 16) => Base64Url(RandomNumberGenerator.GetBytes(bytes));

    private static string Base64Url(byte[] b) => System.Buffers.Text.Base64Url.EncodeToString(b);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        _db.Dispose();
        _lock.Dispose();
    }
}
