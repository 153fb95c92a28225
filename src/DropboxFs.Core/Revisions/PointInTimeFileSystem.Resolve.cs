using DropboxFs.Api;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Revisions;

/// <summary>Which names a past folder had, and which revision each file showed at the time.</summary>
public sealed partial class PointInTimeFileSystem
{
    /// <summary>The folder's current and deleted children (one list_folder with include_deleted, cached).</summary>
    private Task<PastListing> ListAsync(PastFolderNode folder, CancellationToken ct) =>
        _folders.GetAsync(folder.Key, async () =>
        {
            var listed = await _source.ListFolderAllAsync(folder.Key, includeDeleted: true, ct).ConfigureAwait(false);
            var byName = new Dictionary<string, Candidate>(StringComparer.Ordinal);
            foreach (var entry in listed)
            {
                var key = PathKey.Child(folder.Key, entry.Name);
                var candidate = entry switch
                {
                    FolderMetadata => new Candidate(entry.Name, key, FsNodeKind.Directory, null, Deleted: false),
                    FileMetadata file => new Candidate(entry.Name, key, FsNodeKind.File, file, Deleted: false),
                    _ => new Candidate(entry.Name, key, FsNodeKind.File, null, Deleted: true),
                };

                // A live entry wins over a deleted one at the same name (deleted, then created again).
                if (!byName.TryGetValue(key, out var seen) || (seen.Deleted && !candidate.Deleted))
                {
                    byName[key] = candidate;
                }
            }

            var liveIds = byName.Values.Where(c => c.Live is not null).Select(c => c.Live!.Id).ToHashSet(StringComparer.Ordinal);
            return new PastListing([.. byName.Values.OrderBy(c => c.Key, StringComparer.Ordinal)], liveIds);
        });

    /// <summary>The node to show for a name, or null when it did not exist at the time.</summary>
    private async Task<ViewNode?> ResolveAsync(Candidate c, PastListing siblings, CancellationToken ct)
    {
        if (c.Kind == FsNodeKind.Directory)
        {
            // Folders have no history in the API: a live folder is shown even if it was created later (README).
            return new PastFolderNode(c.Key);
        }

        if (c.Live is { } live && live.ServerModified <= At)
        {
            return new RevisionFileNode(live); // unchanged since: no call needed
        }

        var revision = await _files.GetAsync(c.Key, () => FindRevisionAsync(c, ct)).ConfigureAwait(false);
        if (revision is null || (c.Deleted && siblings.LiveIds.Contains(revision.Id)))
        {
            // Renamed within this folder since: the file is shown once, under its current name (README).
            return null;
        }

        return new RevisionFileNode(revision);
    }

    /// <summary>
    /// The newest revision at or before <see cref="At"/>: a live file by id (follows renames), a
    /// deleted one by path (it has no id in listings); none when it was created later, or deleted
    /// before the time.
    /// </summary>
    private async Task<FileMetadata?> FindRevisionAsync(Candidate c, CancellationToken ct)
    {
        ListRevisionsResult history;
        try
        {
            history = c.Live is { } live
                ? await _source.ListRevisionsAsync(live.Id, RevisionMode.Id, ct).ConfigureAwait(false)
                : await _source.ListRevisionsAsync(c.Key, RevisionMode.Path, ct).ConfigureAwait(false);
        }
        catch (FsException e) when (c.Deleted && e.Error is FsError.NotFound or FsError.IsDirectory or FsError.NotDirectory)
        {
            // A deleted folder (list_revisions knows only files) or a path whose history is gone: not shown (README).
            _logger.LogDebug("{Path} (deleted) has no file revisions: {Error}", c.Key, e.Message);
            return null;
        }

        if (c.Deleted && history.ServerDeleted is { } deletedAt && deletedAt <= At)
        {
            return null; // already deleted at the time
        }

        var found = history.Entries.FirstOrDefault(r => r.ServerModified <= At);
        if (found is null && history.HasMore)
        {
            _logger.LogWarning(
                "{Path} has more than {Count} revisions since {At:O}; Dropbox lists only the newest {Count}, so it is hidden",
                c.Key, history.Entries.Count, At, history.Entries.Count);
        }

        return found;
    }
}
