using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;
using DropboxFs.Core.Nodes;
using Microsoft.Data.Sqlite;

namespace DropboxFs.Core.Sync;

/// <summary>
/// Applies pages of changes (feed pages and folder listings) as state, per the API reference §7:
/// a file replaces what was at its path and removes its children; a folder keeps them; a deletion
/// removes the subtree; any order is tolerated and the last occurrence of an id wins. Each page is
/// one transaction; the live nodes move afterwards and the kernel hears about exactly what changed.
/// </summary>
/// <remarks>Lock order: _applyLock → SqliteDatabase writer lock → NodeTable lock. Notifications and
/// cache drops run after all three are released.</remarks>
internal sealed partial class ChangeApplier(
    MetadataDatabase db, NodeTable nodes, Func<IKernelNotifier?> notifier, Func<string, ValueTask> dropVersion, TimeProvider time,
    Func<string, bool>? isLocal = null)
{
    /// <summary>Keys whose local state wins over the server's (files written here and not committed yet):
    /// feed pages and listings leave their rows alone (ChangeApplier.Local.cs).</summary>
    private readonly Func<string, bool> _isLocal = isLocal ?? (_ => false);

    private readonly SemaphoreSlim _applyLock = new(1, 1);
    private long _pagesApplied;

    /// <summary>Counts applied feed pages and local changes; a listing that overlapped one is redone (it may be older:
    /// a listing read before our own mkdir would delete the new folder from the rows and the kernel).</summary>
    public long FeedPages => Interlocked.Read(ref _pagesApplied);

    public long ChangesApplied { get; private set; }

    public DateTimeOffset? LastChangeAt { get; private set; }

    /// <summary>A feed page: the changes and the cursor after them, stored in the same transaction.</summary>
    public async ValueTask ApplyFeedPageAsync(IReadOnlyList<Change> changes, string cursor, CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var applied = Unprotected(changes);
            var result = await db.WriteAsync((c, tx) =>
            {
                var r = ApplyLocked(c, tx, applied, ApplyMode.Feed);
                SyncStateTable.Set(c, tx, SyncStateTable.Cursor, cursor);
                return r;
            }, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _pagesApplied);
            if (changes.Count > 0)
            {
                ChangesApplied += changes.Count;
                LastChangeAt = time.GetUtcNow();
            }

            await FinishAsync(result, applied, announceNewNames: true).ConfigureAwait(false);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    /// <summary>
    /// A complete listing of one folder: children not in it are deleted and the folder is marked
    /// complete. False (nothing applied) when a feed page landed since <paramref name="feedPagesBefore"/>.
    /// </summary>
    public async ValueTask<bool> ApplyListingAsync(string folderKey, IReadOnlyList<Change> listed, long feedPagesBefore, CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (FeedPages != feedPagesBefore)
            {
                return false;
            }

            List<Change>? all = null;
            var result = await db.WriteAsync((c, tx) =>
            {
                var wasComplete = EntryTable.Get(c, tx, folderKey)?.Complete ?? false;
                var present = new HashSet<string>(listed.Select(x => x.Key), StringComparer.Ordinal);
                all = EntryTable.GetChildKeys(c, tx, folderKey).Where(k => !present.Contains(k)).Select(k => new Change(k, null)).ToList();
                all.AddRange(listed);
                all = Unprotected(all);
                var r = ApplyLocked(c, tx, all, ApplyMode.Listing);
                EntryTable.SetComplete(c, tx, folderKey, true);
                r.WasComplete = wasComplete;
                return r;
            }, ct).ConfigureAwait(false);

            // A first listing reveals nothing the kernel could have cached negatively (lookups list first).
            await FinishAsync(result, all!, announceNewNames: result.WasComplete).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _applyLock.Release();
        }
    }

    /// <summary>Cursor reset: store the new cursor, distrust every listing, drop every kernel cache.</summary>
    public async ValueTask ApplyResetAsync(string cursor, CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await db.WriteAsync((c, tx) =>
            {
                EntryTable.MarkAllIncomplete(c, tx);
                SyncStateTable.Set(c, tx, SyncStateTable.Cursor, cursor);
                SyncStateTable.Set(c, tx, SyncStateTable.CursorTakenAt, time.GetUtcNow().ToString("O"));
            }, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _pagesApplied);
            var inv = new Invalidations();
            nodes.InvalidateAll(inv);
            Notify(inv);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    private sealed class PageResult
    {
        public List<string> DroppedVersions { get; } = [];

        public Dictionary<string, EntryRecord> Stored { get; } = new(StringComparer.Ordinal);

        public bool WasComplete { get; set; }

        /// <summary>A later change in the page removed these rows: they must not become nodes.</summary>
        public void Forget(string key, bool includeSelf)
        {
            if (Stored.Count == 0)
            {
                return;
            }

            if (includeSelf)
            {
                Stored.Remove(key);
                _sortedKeys.Remove(key);
            }

            // Descendants sort between "key/" and "key0" ('0' follows '/'): a range, not a scan.
            foreach (var below in _sortedKeys.GetViewBetween(key + "/", key + "0").ToList())
            {
                Stored.Remove(below);
                _sortedKeys.Remove(below);
            }
        }

        public void Add(EntryRecord stored)
        {
            Stored[stored.Key] = stored;
            _sortedKeys.Add(stored.Key);
        }

        private readonly SortedSet<string> _sortedKeys = new(StringComparer.Ordinal);
    }

    private static PageResult ApplyLocked(SqliteConnection c, SqliteTransaction tx, IReadOnlyList<Change> changes, ApplyMode mode)
    {
        var result = new PageResult();
        foreach (var change in changes)
        {
            var old = EntryTable.Get(c, tx, change.Key);
            if (change.Entry is not { } entry)
            {
                result.Forget(change.Key, includeSelf: true);
                if (old is not null)
                {
                    DeletedEntryTable.RecordSubtree(c, tx, change.Key); // revision views find it by its old path
                    EntryTable.DeleteSubtree(c, tx, change.Key);
                    if (old.VersionKey is { } v)
                    {
                        result.DroppedVersions.Add(v);
                    }
                }

                continue;
            }

            if (entry.Id is not null)
            {
                // The last occurrence of an id wins: the id lives nowhere else now.
                foreach (var other in EntryTable.FindKeysById(c, tx, entry.Id, entry.Key))
                {
                    DeletedEntryTable.RecordSubtree(c, tx, other);
                    EntryTable.DeleteSubtree(c, tx, other);
                    result.Forget(other, includeSelf: true);
                }
            }

            var stored = entry;
            if (entry.Kind == FsNodeKind.File)
            {
                EntryTable.DeleteDescendants(c, tx, entry.Key);
                result.Forget(entry.Key, includeSelf: false);
            }
            else
            {
                // A folder the feed creates under a complete parent gets its children from the feed too
                // (recursive cursor), so it needs no listing; one seen in a listing must be listed itself.
                // A folder made here (mkdir) is complete: it is empty.
                var complete = old is { Kind: FsNodeKind.Directory } ? old.Complete
                    : mode == ApplyMode.Local ? entry.Complete
                    : mode == ApplyMode.Feed && (EntryTable.Get(c, tx, entry.ParentKey)?.Complete ?? false);
                stored = entry with { Complete = complete };
            }

            EntryTable.Upsert(c, tx, stored);
            result.Add(stored);
            if (old?.VersionKey is { } oldVersion && oldVersion != stored.VersionKey)
            {
                result.DroppedVersions.Add(oldVersion);
            }
        }

        return result;
    }

    /// <summary>
    /// Moves live nodes to the page's final state: deletions first (parents first), then every surviving
    /// upsert parents-first, so a moved folder is in place before its children arrive, whatever
    /// order the server sent them in.
    /// </summary>
    private async ValueTask FinishAsync(PageResult result, IReadOnlyList<Change> changes, bool announceNewNames, bool notify = true)
    {
        var inv = new Invalidations();
        foreach (var change in changes.Where(c => c.IsDelete).OrderBy(c => Depth(c.Key)))
        {
            // Parents first: a deleted folder takes its live children with it, one invalidation in all.
            nodes.ApplyDelete(change.Key, inv);
        }

        foreach (var stored in result.Stored.Values.OrderBy(e => Depth(e.Key)))
        {
            nodes.ApplyUpsert(stored, announceNewNames, inv);
        }

        if (notify)
        {
            Notify(inv);
        }

        foreach (var version in result.DroppedVersions.Distinct(StringComparer.Ordinal))
        {
            await dropVersion(version).ConfigureAwait(false);
        }
    }

    private static int Depth(string key) => key.Count(ch => ch == '/');

    private void Notify(Invalidations inv)
    {
        if (inv.IsEmpty || notifier() is not { } target)
        {
            return;
        }

        foreach (var node in inv.Inodes)
        {
            target.InvalidateInode(node);
        }

        foreach (var (parent, name) in inv.Entries)
        {
            target.InvalidateEntry(parent, name);
        }
    }
}
