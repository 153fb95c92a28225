using DropboxFs.Api;
using DropboxFs.Core.Blocks;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;

namespace DropboxFs.Core;

/// <summary>A path the revision views can show: a live or deleted file or folder, by key and id.</summary>
/// <param name="Key">Lower-case path from the account root (<see cref="PathKey"/>).</param>
/// <param name="Id">The Dropbox id; null for a live file that was never uploaded.</param>
internal sealed record HistorySubject(string Key, string Name, FsNodeKind Kind, string? Id, bool Deleted);

/// <summary>
/// What the read-only revision views (Core/Revisions) need from the facade: paths resolved through
/// the metadata cache (deleted entries included), list_revisions and list_folder calls counted and
/// translated, and file versions read through the shared block cache by rev.
/// </summary>
public sealed partial class DropboxFileSystem
{
    internal DateTimeOffset MountedAt => _mountedAt;

    internal TimeProvider Time => _time;

    internal Microsoft.Extensions.Logging.ILoggerFactory Loggers => _options.LoggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    /// <summary>The mounted remote root (its key is "" for the whole account).</summary>
    internal HistorySubject RootSubject => new(_nodes.RootKey, "", FsNodeKind.Directory, _nodes.Root.Entry.Id, Deleted: false);

    /// <summary>The child <paramref name="name"/> of a folder subject: the live entry, else the deleted one the cache kept, else null.</summary>
    internal async ValueTask<HistorySubject?> FindHistoryChildAsync(HistorySubject folder, string name, CancellationToken ct)
    {
        if (folder.Kind != FsNodeKind.Directory)
        {
            throw new FsException(FsError.NotDirectory);
        }

        ValidateName(name);
        var key = PathKey.Child(folder.Key, name);
        if (!folder.Deleted && await EnsureListedAsync(folder.Key, ct).ConfigureAwait(false) && _entries.Get(key) is { } live)
        {
            return new HistorySubject(live.Key, live.Name, live.Kind, ServerId(live.Id), Deleted: false);
        }

        return new DeletedEntryTable(_db).Get(key) is { } gone ? new HistorySubject(gone.Key, gone.Name, gone.Kind, gone.Id, Deleted: true) : null;
    }

    /// <summary>Live children (for a live folder) then deleted ones whose name is not live, in key order.</summary>
    internal async ValueTask<IReadOnlyList<HistorySubject>> ListHistoryChildrenAsync(HistorySubject folder, CancellationToken ct)
    {
        var result = new List<HistorySubject>();
        var liveKeys = new HashSet<string>(StringComparer.Ordinal);
        if (!folder.Deleted && await EnsureListedAsync(folder.Key, ct).ConfigureAwait(false))
        {
            foreach (var e in _entries.GetChildren(folder.Key))
            {
                liveKeys.Add(e.Key);
                result.Add(new HistorySubject(e.Key, e.Name, e.Kind, ServerId(e.Id), Deleted: false));
            }
        }

        foreach (var gone in new DeletedEntryTable(_db).GetChildren(folder.Key))
        {
            if (!liveKeys.Contains(gone.Key))
            {
                result.Add(new HistorySubject(gone.Key, gone.Name, gone.Kind, gone.Id, Deleted: true));
            }
        }

        return result;
    }

    /// <summary>files/list_revisions (counted; API failures become <see cref="FsException"/>).</summary>
    internal async Task<ListRevisionsResult> ListRevisionsAsync(string pathOrId, RevisionMode mode, CancellationToken ct)
    {
        try
        {
            _calls.Count("files/list_revisions");
            return await _client.ListRevisionsAsync(pathOrId, mode, 100, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsRemoteFailure(e))
        {
            throw ApiErrors.Translate(e, ct);
        }
    }

    /// <summary>Every page of files/list_folder (counted; failures become <see cref="FsException"/>).</summary>
    internal async Task<IReadOnlyList<Api.Metadata>> ListFolderAllAsync(string key, bool includeDeleted, CancellationToken ct)
    {
        try
        {
            _calls.Count("files/list_folder");
            var page = await _client.ListFolderCompleteAsync(key, new ListFolderOptions { IncludeDeleted = includeDeleted, Limit = 2000 }, ct).ConfigureAwait(false);
            return page.Entries;
        }
        catch (Exception e) when (ApiErrors.IsRemoteFailure(e))
        {
            throw ApiErrors.Translate(e, ct);
        }
    }

    /// <summary>Pins one revision in the block cache (keyed by content hash, else id@rev), downloaded by "rev:".</summary>
    internal ValueTask<CachedVersion> AcquireRevisionAsync(FileMetadata revision)
    {
        var key = revision.ContentHash is { Length: > 0 } hash ? "h:" + hash : "r:" + revision.Id + "@" + revision.Rev;
        return _blocks.AcquireAsync(key, revision.Size, "rev:" + revision.Rev, revision.Rev, revision.ContentHash);
    }

    internal async ValueTask<int> ReadRevisionAsync(CachedVersion version, ReadAheadPolicy readAhead, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        if (offset < 0)
        {
            throw new FsException(FsError.InvalidArgument);
        }

        try
        {
            return await _blocks.ReadAsync(version, readAhead, offset, buffer, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsRemoteFailure(e))
        {
            throw ApiErrors.Translate(e, ct);
        }
    }

    internal ValueTask ReleaseRevisionAsync(CachedVersion version) => _blocks.ReleaseAsync(version);

    /// <summary>A pending file's placeholder id ("local:…") is not a Dropbox id: its history is looked up by path.</summary>
    private static string? ServerId(string? id) => Nodes.LocalIds.IsLocal(id) ? null : id;

    /// <summary>Lists a live folder once (like a kernel lookup would); false when it is gone or not a folder.</summary>
    private async ValueTask<bool> EnsureListedAsync(string key, CancellationToken ct)
    {
        var row = _entries.Get(key);
        if (row is not { Kind: FsNodeKind.Directory })
        {
            return false;
        }

        await ListIfIncompleteAsync(row, ct).ConfigureAwait(false);
        return true;
    }
}
