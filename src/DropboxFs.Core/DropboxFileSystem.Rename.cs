using DropboxFs.Api;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;
using DropboxFs.Core.Nodes;
using DropboxFs.Core.Sync;

namespace DropboxFs.Core;

/// <summary>
/// rename(2). A file that exists only here moves in the journal (RetargetAsync, one transaction, no API call):
/// it is uploaded once, under its final name, and its commit replaces the target (update(target rev)), so a
/// rename over an existing file is atomic on the server. Anything the server has moves with move_v2; a
/// replaced target is deleted first (a crash in between loses only the file being replaced, never the source).
/// </summary>
public sealed partial class DropboxFileSystem
{
    public async ValueTask RenameAsync(ulong parent, string name, ulong newParent, string newName, FsRenameFlags flags, CancellationToken ct)
    {
        var (fromDir, fromParentKey, fromRemote) = await WritableChildAsync(parent, name, ct).ConfigureAwait(false);
        var (toDir, toParentKey, toRemote) = await WritableChildAsync(newParent, newName, ct).ConfigureAwait(false);
        if (flags.HasFlag(FsRenameFlags.Exchange))
        {
            throw new FsException(FsError.InvalidArgument, "RENAME_EXCHANGE is not supported: Dropbox cannot swap two names atomically");
        }

        var fromKey = PathKey.Child(fromParentKey, fromRemote);
        var toKey = PathKey.Child(toParentKey, toRemote);
        var source = _entries.Get(fromKey) ?? throw new FsException(FsError.NotFound);
        var sameKey = fromKey == toKey;
        if (sameKey && source.Name == toRemote)
        {
            return; // rename onto itself
        }

        if (PathKey.IsSameOrBelow(toKey, fromKey) && !sameKey)
        {
            throw new FsException(FsError.InvalidArgument, "a folder cannot move into itself");
        }

        var target = sameKey ? null : _entries.Get(toKey);
        if (target is not null)
        {
            if (flags.HasFlag(FsRenameFlags.NoReplace))
            {
                throw new FsException(FsError.Exists);
            }

            CheckReplaceable(source, target);
            if (target.Kind == FsNodeKind.Directory)
            {
                await EnsureEmptyFolderAsync(target, ct).ConfigureAwait(false);
            }
        }

        using var inFlight = Changing(fromKey, toKey); // the feed's echo must not come first (Echoes.cs)
        var toPath = DisplayPathOf(toDir) + "/" + toRemote;
        var fromPath = DisplayPathOf(fromDir) + "/" + source.Name;
        EntryRecord moved;
        if (source.Kind == FsNodeKind.File && LocalIds.IsLocal(source.Id))
        {
            // Only here: the journal row follows; its commit will replace the target's rev.
            // The rev the commit replaces: the target's, or, when the target is itself pending (git's second
            // index.lock → index), the one its job would have replaced.
            var replacedRev = target is not { Kind: FsNodeKind.File } ? null
                : !LocalIds.IsLocal(target.Id) ? target.Rev
                : Queue.PendingBaseRev(toKey);
            // Under the write gate until the local state has moved: a RELEASE of the source racing this rename
            // (close(2) then rename(2): RELEASE is asynchronous) would otherwise find the job already under the new
            // name, none under the old one, and forget the LocalFile; a re-open of the target then found a row
            // with a local id and no local state → EIO (git's config.lock → config, 1 in 30).
            await _writeGate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (target is not null)
                {
                    await Queue.CancelAsync(toKey, ct).ConfigureAwait(false);
                }

                await Queue.RetargetAsync(fromPath, toPath, replacedRev, ct).ConfigureAwait(false);
                MoveLocalState(fromKey, toKey, toPath);
            }
            finally
            {
                _writeGate.Release();
            }

            moved = source with { Key = toKey, Name = toRemote };
        }
        else
        {
            if (target is not null)
            {
                await DeleteReplacedAsync(target, ct).ConfigureAwait(false);
            }

            var meta = await MoveOnServerAsync(fromKey, toPath, sameKey, ct).ConfigureAwait(false);
            moved = RemoteEntries.ToChange(meta).Entry! with { Complete = source.Complete };
            await _writeGate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                if (Uploads is { } uploads && (_local.ContainsKey(fromKey) || source.Kind == FsNodeKind.Directory))
                {
                    // Pending changes of the file (or of files below the folder) follow it.
                    await uploads.RetargetAsync(fromPath, toPath, source.Kind == FsNodeKind.File ? moved.Rev : null, ct).ConfigureAwait(false);
                }

                MoveLocalState(fromKey, toKey, toPath);
            }
            finally
            {
                _writeGate.Release();
            }
        }

        await _applier.ApplyLocalMoveAsync(fromKey, moved, replaced: target is not null, ct).ConfigureAwait(false);
    }

    private static void CheckReplaceable(EntryRecord source, EntryRecord target)
    {
        if (source.Kind == FsNodeKind.Directory && target.Kind == FsNodeKind.File)
        {
            throw new FsException(FsError.NotDirectory);
        }

        if (source.Kind == FsNodeKind.File && target.Kind == FsNodeKind.Directory)
        {
            throw new FsException(FsError.IsDirectory);
        }
    }

    /// <summary>The target of a replacing rename: its pending uploads are cancelled and its server copy deleted.</summary>
    private async ValueTask DeleteReplacedAsync(EntryRecord target, CancellationToken ct)
    {
        if (target.Kind == FsNodeKind.File)
        {
            await DeleteFileAsync(target, ct).ConfigureAwait(false);
            return;
        }

        await RemoteAsync("files/delete_v2", c => c.DeleteAsync(target.Key, ct: ct), ct, ignoreNotFound: true).ConfigureAwait(false);
    }

    /// <summary>move_v2. Dropbox does not promise case-only renames in one move (reference §5.11), so one that
    /// the server refuses goes through a temporary name.</summary>
    private async ValueTask<Api.Metadata> MoveOnServerAsync(string fromKey, string toPath, bool caseOnly, CancellationToken ct)
    {
        try
        {
            return (await RemoteAsync("files/move_v2", c => c.MoveAsync(fromKey, toPath, ct: ct), ct).ConfigureAwait(false))!;
        }
        catch (FsException e) when (caseOnly && e.Error == FsError.Exists)
        {
            var temp = toPath + ".dropboxfs-rename~" + Guid.NewGuid().ToString("N")[..8];
            await RemoteAsync("files/move_v2", c => c.MoveAsync(fromKey, temp, ct: ct), ct).ConfigureAwait(false);
            return (await RemoteAsync("files/move_v2", c => c.MoveAsync(temp, toPath, ct: ct), ct).ConfigureAwait(false))!;
        }
    }

    /// <summary>Local files at or below <paramref name="fromKey"/> move to the new key and path.</summary>
    private void MoveLocalState(string fromKey, string toKey, string toPath)
    {
        if (_local.IsEmpty)
        {
            return;
        }

        foreach (var (key, local) in _local.ToArray())
        {
            if (!PathKey.IsSameOrBelow(key, fromKey) || !_local.TryRemove(key, out _))
            {
                continue;
            }

            // The components below the renamed one keep their display names.
            var depth = key[fromKey.Length..].Count(c => c == '/');
            var parts = local.Path.Split('/');
            var suffix = depth == 0 ? "" : "/" + string.Join('/', parts[^depth..]);
            local.Key = toKey + key[fromKey.Length..];
            local.Path = toPath + suffix;
            _local[local.Key] = local;
        }
    }
}
