using DropboxFs.Api;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;
using DropboxFs.Core.Names;
using DropboxFs.Core.Nodes;
using DropboxFs.Core.Sync;

namespace DropboxFs.Core;

/// <summary>create, mkdir, unlink, rmdir. Folders and deletions go to the server at once (one call each);
/// new files exist locally until their upload commits. Renames: DropboxFileSystem.Rename.cs.</summary>
public sealed partial class DropboxFileSystem
{
    public async ValueTask<FsCreateResult> CreateAsync(ulong parent, string name, FsOpenFlags flags, CancellationToken ct)
    {
        var (dir, key, remote) = await WritableChildAsync(parent, name, ct).ConfigureAwait(false);
        var childKey = PathKey.Child(key, remote);
        Node node;
        FsOpenResult open;
        if (_entries.Get(childKey) is { } existing)
        {
            if (flags.HasFlag(FsOpenFlags.Exclusive))
            {
                throw new FsException(FsError.Exists);
            }

            if (existing.Kind == FsNodeKind.Directory)
            {
                throw new FsException(FsError.IsDirectory);
            }

            node = _nodes.GetOrAddChild(dir, existing);
            open = await OpenAsync(node.NodeId, flags & ~FsOpenFlags.Create, ct).ConfigureAwait(false);
        }
        else
        {
            var path = DisplayPathOf(dir) + "/" + remote;
            var now = Now();
            var row = ChangeApplier.LocalFileRow(childKey, remote, 0, now);
            _local.TryAdd(childKey, new LocalFile(path, childKey) { Modified = now }); // protected before the row exists
            await _applier.ApplyLocalAsync([new Change(childKey, row)], ct).ConfigureAwait(false);
            node = _nodes.GetOrAddChild(dir, row);
            open = await OpenLocalAsync(node, flags | FsOpenFlags.Create, ct).ConfigureAwait(false);
        }

        _nodes.AddLookup(node, remote);
        return new FsCreateResult(new FsEntry(node.NodeId, AttributesOf(node)), open);
    }

    public async ValueTask<FsEntry> MkdirAsync(ulong parent, string name, CancellationToken ct)
    {
        var (dir, key, remote) = await WritableChildAsync(parent, name, ct).ConfigureAwait(false);
        if (_entries.Get(PathKey.Child(key, remote)) is not null)
        {
            throw new FsException(FsError.Exists);
        }

        var path = DisplayPathOf(dir) + "/" + remote;
        using var inFlight = Changing(PathKey.Child(key, remote)); // the feed's echo must not come first (Echoes.cs)
        var folder = (await RemoteAsync("files/create_folder_v2", c => c.CreateFolderAsync(path, ct: ct), ct).ConfigureAwait(false))!;
        var change = RemoteEntries.ToChange(folder);
        var row = change.Entry! with { Complete = true }; // new and empty: nothing to list
        await _applier.ApplyLocalAsync([new Change(row.Key, row)], ct).ConfigureAwait(false);
        var node = _nodes.GetOrAddChild(dir, row);
        _nodes.AddLookup(node, remote);
        return new FsEntry(node.NodeId, AttributesOf(node));
    }

    public async ValueTask UnlinkAsync(ulong parent, string name, CancellationToken ct)
    {
        var (_, key, remote) = await WritableChildAsync(parent, name, ct).ConfigureAwait(false);
        var childKey = PathKey.Child(key, remote);
        var entry = _entries.Get(childKey) ?? throw new FsException(FsError.NotFound);
        if (entry.Kind == FsNodeKind.Directory)
        {
            throw new FsException(FsError.IsDirectory);
        }

        using var inFlight = Changing(childKey);
        await DeleteFileAsync(entry, ct).ConfigureAwait(false);
        await _applier.ApplyLocalAsync([new Change(childKey, null)], ct).ConfigureAwait(false);
    }

    public async ValueTask RmdirAsync(ulong parent, string name, CancellationToken ct)
    {
        var (_, key, remote) = await WritableChildAsync(parent, name, ct).ConfigureAwait(false);
        var childKey = PathKey.Child(key, remote);
        var entry = _entries.Get(childKey) ?? throw new FsException(FsError.NotFound);
        if (entry.Kind != FsNodeKind.Directory)
        {
            throw new FsException(FsError.NotDirectory);
        }

        await EnsureEmptyFolderAsync(entry, ct).ConfigureAwait(false);
        using var inFlight = Changing(childKey);
        await RemoteAsync("files/delete_v2", c => c.DeleteAsync(childKey, ct: ct), ct, ignoreNotFound: true).ConfigureAwait(false);
        await _applier.ApplyLocalAsync([new Change(childKey, null)], ct).ConfigureAwait(false);
    }

    /// <summary>Pending uploads of the file are cancelled (nothing of it reaches the server after this; an open
    /// handle keeps its staging until release), and what the server has is deleted.</summary>
    private async ValueTask DeleteFileAsync(EntryRecord entry, CancellationToken ct)
    {
        // A row with a local id may still stand for a server file: one renamed over it whose job holds its rev.
        var onServer = (!LocalIds.IsLocal(entry.Id) && entry.Rev is not null) || Queue.PendingBaseRev(entry.Key) is not null;
        if (_local.TryRemove(entry.Key, out _) || Queue.HasPending(entry.Key))
        {
            await Queue.CancelAsync(entry.Key, ct).ConfigureAwait(false); // the queue matches by key
        }

        if (onServer)
        {
            await RemoteAsync("files/delete_v2", c => c.DeleteAsync(entry.Key, ct: ct), ct, ignoreNotFound: true).ConfigureAwait(false);
        }
    }

    /// <summary>ENOTEMPTY when the folder has children, pending ones included (listed first if never listed).</summary>
    private async ValueTask EnsureEmptyFolderAsync(EntryRecord folder, CancellationToken ct)
    {
        if (!folder.Complete)
        {
            try
            {
                await _sync.InitializeAsync(ct).ConfigureAwait(false);
                await _lister.ListAsync(folder.Key, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiErrors.IsRemoteFailure(e))
            {
                throw ApiErrors.Translate(e, ct);
            }
        }

        if (_entries.GetChildren(folder.Key).Count > 0)
        {
            throw new FsException(FsError.NotEmpty);
        }
    }

    /// <summary>The writable folder, its key (listed) and the child's name as Dropbox stores it.</summary>
    private async ValueTask<(Node Dir, string Key, string Remote)> WritableChildAsync(ulong parent, string name, CancellationToken ct)
    {
        var dir = _nodes.Get(parent);
        var remote = ToRemoteName(name);
        if (dir.Kind != FsNodeKind.Directory)
        {
            throw new FsException(FsError.NotDirectory);
        }

        _ = RequireWritable<IWritableDirectory>(dir);
        var key = await ListedKeyAsync(dir, ct).ConfigureAwait(false);
        return (dir, key, remote);
    }

    private static string ToRemoteName(string name)
    {
        ValidateName(name);
        return NameEscaping.ToRemote(name);
    }

    private string DisplayPathOf(Node dir) => _nodes.GetDisplayPath(dir) ?? throw new FsException(FsError.NotFound, "the folder was deleted");

    /// <summary>One API call, counted; failures become FsErrors (NotFound ignored for deletions that already happened).</summary>
    private async ValueTask<T?> RemoteAsync<T>(string route, Func<DropboxClient, Task<T>> call, CancellationToken ct, bool ignoreNotFound = false)
        where T : class
    {
        try
        {
            _calls.Count(route);
            return await call(_client).ConfigureAwait(false);
        }
        catch (DropboxApiException e) when (ignoreNotFound && e.IsNotFound)
        {
            return null;
        }
        catch (Exception e) when (ApiErrors.IsRemoteFailure(e))
        {
            throw ApiErrors.Translate(e, ct);
        }
    }
}
