using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;

namespace DropboxFs.Core.Sync;

/// <summary>
/// Changes made by this mount (mkdir, rename, unlink, create, our own commits). They are applied like a
/// feed page, but without kernel notifications: the kernel made the change itself. The change feed later
/// echoes most of them; those echoes find the rows already in that state and notify nothing.
/// </summary>
internal sealed partial class ChangeApplier
{
    private enum ApplyMode
    {
        Feed,
        Listing,
        Local,
    }

    /// <summary>Applies changes made here; no kernel notification.</summary>
    public async ValueTask ApplyLocalAsync(IReadOnlyList<Change> changes, CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var result = await db.WriteAsync((c, tx) => ApplyLocked(c, tx, changes, ApplyMode.Local), ct).ConfigureAwait(false);
            Interlocked.Increment(ref _pagesApplied); // a listing read before this change is redone (it would undo it)
            await FinishAsync(result, changes, announceNewNames: false, notify: false).ConfigureAwait(false);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    /// <summary>
    /// A rename done here: the rows below <paramref name="fromKey"/> move with it (pending files that the
    /// server does not know yet included), <paramref name="replacedKey"/> (a replaced target) goes, and the
    /// live node moves (by id) with its subtree.
    /// </summary>
    public async ValueTask ApplyLocalMoveAsync(string fromKey, EntryRecord moved, bool replaced, CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var changes = new List<Change>();
            if (replaced)
            {
                changes.Add(new Change(moved.Key, null));
            }

            var result = await db.WriteAsync((c, tx) =>
            {
                var old = EntryTable.Get(c, tx, fromKey);
                if (replaced)
                {
                    EntryTable.DeleteSubtree(c, tx, moved.Key);
                }

                if (fromKey != moved.Key)
                {
                    EntryTable.MoveDescendants(c, tx, fromKey, moved.Key);
                    EntryTable.DeleteSubtree(c, tx, fromKey);
                }

                var row = moved with { Complete = old?.Complete ?? moved.Complete };
                var r = ApplyLocked(c, tx, [new Change(row.Key, row)], ApplyMode.Local);
                return r;
            }, ct).ConfigureAwait(false);
            Interlocked.Increment(ref _pagesApplied);
            changes.Add(new Change(moved.Key, moved));
            await FinishAsync(result, changes, announceNewNames: false, notify: false).ConfigureAwait(false);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    /// <summary>State read from the server outside the feed (after a conflicted commit): applied like a feed
    /// page, with kernel notifications, without touching the cursor.</summary>
    public async ValueTask ApplyFetchedAsync(IReadOnlyList<Change> changes, CancellationToken ct)
    {
        await _applyLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var applied = Unprotected(changes);
            var result = await db.WriteAsync((c, tx) => ApplyLocked(c, tx, applied, ApplyMode.Feed), ct).ConfigureAwait(false);
            await FinishAsync(result, applied, announceNewNames: true).ConfigureAwait(false);
        }
        finally
        {
            _applyLock.Release();
        }
    }

    /// <summary>Feed pages and listings leave rows of locally pending files alone (they would vanish, or show
    /// stale content); the commit (OnCommitted) brings the row up to date.</summary>
    private List<Change> Unprotected(IReadOnlyList<Change> changes)
    {
        var list = new List<Change>(changes.Count);
        foreach (var change in changes)
        {
            if (!_isLocal(change.Key))
            {
                list.Add(change);
            }
        }

        return list;
    }

    /// <summary>Rows for files that exist only here (restart: pending uploads whose rows a rebuilt cache lost).</summary>
    public static EntryRecord LocalFileRow(string key, string name, long size, DateTimeOffset modified) =>
        new(key, name, FsNodeKind.File, Nodes.LocalIds.New(), size, null, null, modified, modified, Complete: false);
}
