using DropboxFs.Api;
using DropboxFs.Core.Blocks;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;
using DropboxFs.Core.Nodes;
using DropboxFs.Core.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Core;

/// <summary>
/// The filesystem every adapter calls: names and attributes from the SQLite metadata (kept current
/// by the change feed), contents from the block cache; writes through the upload queue (Uploads/README.md,
/// "How the facade uses it"). A read-only mount has no queue and its nodes no write capability.
/// </summary>
/// <remarks>
/// Lock order (across the parts): _writeGate → UploadQueue._gate; FolderLister/ChangeApplier apply lock →
/// SQLite writer lock → NodeTable lock; BlockCache budget lock → versions lock → version gate. No lock is held across
/// network I/O, and kernel notifications are sent with no lock held.
/// </remarks>
public sealed partial class DropboxFileSystem : IFileSystem, IAsyncDisposable
{
    private readonly DropboxClient _client;
    private readonly DropboxFileSystemOptions _options;
    private readonly ILogger _logger;
    private readonly MetadataDatabase _db;
    private readonly EntryTable _entries;
    private readonly NodeTable _nodes;
    private readonly BlockCache _blocks;
    private readonly ChangeApplier _applier;
    private readonly FolderLister _lister;
    private readonly SyncEngine _sync;
    private readonly ApiCallCounter _calls;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _mountedAt;
    private volatile IKernelNotifier? _notifier;
    private int _disposed;

    private DropboxFileSystem(DropboxClient client, DropboxFileSystemOptions options, MetadataDatabase db, EntryRecord root, ApiCallCounter calls, SpaceUsage? space)
    {
        _client = client;
        _options = options;
        _time = options.TimeProvider;
        _mountedAt = _time.GetUtcNow();
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger<DropboxFileSystem>();
        _db = db;
        _calls = calls;
        _entries = new EntryTable(db);
        _nodes = new NodeTable(root, writable: !options.ReadOnly, RootDisplayPath(options.RemoteRoot));
        _blocks = new BlockCache(
            System.IO.Path.Combine(options.CacheDirectory, "blocks"), new BlockFileTable(db), new DropboxBlockSource(client, calls),
            options.CacheSizeBytes, _time, loggers.CreateLogger<BlockCache>());
        _applier = new ChangeApplier(db, _nodes, () => _notifier, key => _blocks.DropAsync(key), _time, IsLocalKey);
        _lister = new FolderLister(client, _applier, calls, options.IndexProgress, loggers.CreateLogger<FolderLister>());
        _sync = new SyncEngine(client, db, _applier, calls, root.Key, options.IndexProgress, _time, loggers.CreateLogger<SyncEngine>());
        if (space is not null)
        {
            SetSpace(space);
        }
    }

    /// <summary>
    /// Opens (or creates) the cache in <see cref="DropboxFileSystemOptions.CacheDirectory"/> and checks the
    /// remote root. Makes at most two API calls (remote root on first use, space usage), whatever the tree size.
    /// </summary>
    public static async Task<DropboxFileSystem> OpenAsync(DropboxClient client, DropboxFileSystemOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.ReadOnly && string.IsNullOrEmpty(options.StateDirectory))
        {
            throw new ArgumentException("A writable mount needs a state folder (StateDirectory) for its upload journal", nameof(options));
        }

        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggers.CreateLogger<DropboxFileSystem>();
        Directory.CreateDirectory(options.CacheDirectory);
        var db = MetadataDatabase.Open(System.IO.Path.Combine(options.CacheDirectory, "metadata.db"), loggers.CreateLogger<MetadataDatabase>());
        try
        {
            var blocksDir = System.IO.Path.Combine(options.CacheDirectory, "blocks");
            if (db.WasRebuilt && Directory.Exists(blocksDir))
            {
                Directory.Delete(blocksDir, recursive: true); // their range index went with the old file
            }

            var calls = new ApiCallCounter();
            var rootKey = PathKey.FromRemoteRoot(options.RemoteRoot);
            var root = await LoadRootAsync(client, db, rootKey, options.RemoteRoot, calls, logger, ct).ConfigureAwait(false);
            SpaceUsage? space = null;
            try
            {
                calls.Count("users/get_space_usage");
                space = await client.GetSpaceUsageAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiErrors.IsRemoteFailure(e) && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Could not read the space usage ({Error}); df shows 0 until the next refresh", e.Message);
            }

            var fs = new DropboxFileSystem(client, options, db, root, calls, space);
            try
            {
                await fs.OpenUploadsAsync(ct).ConfigureAwait(false);
            }
            catch
            {
                await fs.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            return fs;
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    /// <summary>Where remote changes are reported; attach before <see cref="StartSyncAsync"/>.</summary>
    public void AttachNotifier(IKernelNotifier notifier) => _notifier = new Names.LocalNameNotifier(notifier);

    /// <summary>Takes the change cursor (or resumes the stored one) and starts the long-poll loop in the background.</summary>
    public async Task StartSyncAsync(CancellationToken ct)
    {
        try
        {
            await _sync.InitializeAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsRemoteFailure(e))
        {
            throw ApiErrors.Translate(e, ct);
        }

        _sync.Start();
    }

    /// <summary>Applies every pending remote change now (tests, and `dropboxfs status --sync`). Returns the entries read.</summary>
    internal async Task<int> SyncNowAsync(CancellationToken ct)
    {
        await _sync.InitializeAsync(ct).ConfigureAwait(false);
        return await _sync.DrainAsync(ct).ConfigureAwait(false);
    }

    /// <summary>A snapshot for `dropboxfs status` (one COUNT over the metadata keys; call it on request, not in a loop).</summary>
    public FileSystemStats GetStats() => new()
    {
        CursorTakenAt = _sync.CursorTakenAt,
        CursorAge = _sync.CursorTakenAt is { } taken ? _time.GetUtcNow() - taken : null,
        MetadataEntries = _entries.Count(),
        LastChangeAppliedAt = _applier.LastChangeAt,
        ChangesApplied = _applier.ChangesApplied,
        CursorResets = _sync.Resets,
        SyncRunning = _sync.IsRunning,
        SyncErrors = _sync.LoopErrors,
        FolderListings = _lister.Listings,
        CacheUsedBytes = _blocks.UsedBytes,
        CacheCapacityBytes = _blocks.CapacityBytes,
        CacheHits = _blocks.Hits,
        CacheMisses = _blocks.Misses,
        CacheEvictions = _blocks.Evictions,
        LiveNodes = _nodes.Count,
        OpenHandles = _handles.Count,
        ApiCalls = _calls.Snapshot(),
    };

    /// <summary>"/Some/Folder" for --remote-root some/folder/ ("" for the whole account): where uploads and folders go.</summary>
    private static string RootDisplayPath(string remoteRoot)
    {
        var trimmed = remoteRoot.Trim().TrimEnd('/');
        return trimmed.Length == 0 ? "" : trimmed.StartsWith('/') ? trimmed : "/" + trimmed;
    }

    private static async Task<EntryRecord> LoadRootAsync(DropboxClient client, MetadataDatabase db, string rootKey, string remoteRoot, ApiCallCounter calls, ILogger logger, CancellationToken ct)
    {
        var state = new SyncStateTable(db);
        if (state.Get(SyncStateTable.Scope) != rootKey)
        {
            // Another remote root (or a fresh cache): rows and cursor of the old scope are worthless.
            await db.WriteAsync((c, tx) =>
            {
                EntryTable.DeleteAll(c, tx);
                SyncStateTable.Set(c, tx, SyncStateTable.Cursor, null);
                SyncStateTable.Set(c, tx, SyncStateTable.CursorTakenAt, null);
                SyncStateTable.Set(c, tx, SyncStateTable.Scope, rootKey);
            }, ct).ConfigureAwait(false);
        }

        var entries = new EntryTable(db);
        if (entries.Get(rootKey) is { } stored)
        {
            return stored;
        }

        var root = new EntryRecord(rootKey, "", FsNodeKind.Directory, null, 0, null, null, default, default, Complete: false);
        if (rootKey.Length > 0)
        {
            Api.Metadata meta;
            try
            {
                calls.Count("files/get_metadata");
                meta = await client.GetMetadataAsync(remoteRoot.TrimEnd('/'), ct: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiErrors.IsRemoteFailure(e))
            {
                throw ApiErrors.Translate(e, ct);
            }

            if (meta is not FolderMetadata folder)
            {
                throw new FsException(FsError.NotDirectory, $"The remote root {remoteRoot} is not a folder; pass a folder to --remote-root");
            }

            root = root with { Id = folder.Id, Name = folder.Name };
        }

        await db.WriteAsync((c, tx) => EntryTable.Upsert(c, tx, root), ct).ConfigureAwait(false);
        logger.LogDebug("Mounted scope {Root}", rootKey.Length == 0 ? "/" : rootKey);
        return root;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _sync.DisposeAsync().ConfigureAwait(false);
        await StopSpaceRefreshAsync().ConfigureAwait(false);
        foreach (var handle in _handles.Values)
        {
            await _blocks.ReleaseAsync(handle.Version).ConfigureAwait(false);
        }

        _handles.Clear();
        await ReleaseWritersAsync().ConfigureAwait(false);
        if (Uploads is { } uploads)
        {
            await uploads.DisposeAsync().ConfigureAwait(false);
        }

        await _blocks.DisposeAsync().ConfigureAwait(false);
        _db.Dispose();
    }
}
