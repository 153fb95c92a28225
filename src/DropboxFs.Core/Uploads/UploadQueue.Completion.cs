using DropboxFs.Api;
using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Uploads;

/// <summary>What happens after the server accepted a commit: conflict bookkeeping, re-targeting a rename
/// that happened while the commit was in flight, the journal row removal and the facade callback.</summary>
public sealed partial class UploadQueue
{
    /// <param name="committed">The row as it was when the commit was sent (its Path is where it went).</param>
    private async Task CompleteAsync(UploadJob committed, FileMetadata meta, string stagingFile, CancellationToken ct)
    {
        ForgetStreamedWriter(committed.Id);
        var landedKey = PathKey.Normalize(meta.PathLower ?? meta.PathDisplay ?? committed.Path);
        var conflict = landedKey != committed.PathKey;
        var now = _time.GetUtcNow();
        UploadJob? current = null;
        await _journal.WriteAsync((c, tx) =>
        {
            current = UploadJobTable.Get(c, tx, committed.Id);
            UploadJobTable.Delete(c, tx, committed.Id);
            if (conflict)
            {
                UploadConflictTable.Insert(c, tx, committed.Path, meta.PathDisplay ?? landedKey, meta.Rev, now,
                    committed.BaseRev is null ? "a file with this name appeared on the server" : $"the server copy changed after rev {committed.BaseRev}");
            }
            else
            {
                UploadJobTable.Rebase(c, tx, committed.PathKey, committed.Id, meta.Rev);
            }
        }, CancellationToken.None).ConfigureAwait(false);

        if (conflict)
        {
            _log.LogWarning("Conflict: {Path} was changed elsewhere; your version was saved as {Copy}", committed.Path, meta.PathDisplay);
        }

        if (current is null)
        {
            // Unlinked while the commit was in flight: nothing of it may stay on the server.
            await DeleteQuietlyAsync(meta, ct).ConfigureAwait(false);
        }
        else if (!conflict && current.PathKey != committed.PathKey)
        {
            meta = await MoveAfterCommitAsync(meta, current.Path, ct).ConfigureAwait(false);
        }

        if (current is not null && _options.OnCommitted is { } callback)
        {
            await callback(new UploadCommitted(committed.Id, current.Path, meta, conflict, stagingFile)).ConfigureAwait(false);
        }

        File.Delete(stagingFile);
        if (_waiters.TryRemove(committed.Id, out var waiter))
        {
            waiter.TrySetResult(new UploadJobStatus(committed.Id, committed.Path, UploadState.Committed, meta.Size, meta.Size, committed.Tries, null, false));
        }

        NotifyChanged();
    }

    private async Task DeleteQuietlyAsync(FileMetadata meta, CancellationToken ct)
    {
        try
        {
            await _client.DeleteAsync(meta.PathLower ?? meta.PathDisplay!, meta.Rev, ct).ConfigureAwait(false);
        }
        catch (DropboxApiException e)
        {
            _log.LogWarning("{Path} was unlinked during its upload and could not be removed again: {Error}", meta.PathDisplay, e.TagPath);
        }
    }

    /// <summary>Renamed while the commit was in flight: move the new rev to where the file is now.</summary>
    private async Task<FileMetadata> MoveAfterCommitAsync(FileMetadata meta, string target, CancellationToken ct)
    {
        try
        {
            return await _client.MoveAsync(meta.PathLower ?? meta.PathDisplay!, target, ct: ct).ConfigureAwait(false) as FileMetadata ?? meta;
        }
        catch (DropboxApiException e)
        {
            await _journal.WriteAsync((c, tx) => UploadConflictTable.Insert(c, tx, target, meta.PathDisplay ?? "", meta.Rev, _time.GetUtcNow(),
                $"renamed during its upload; moving it to the new name failed ({e.TagPath})"), CancellationToken.None).ConfigureAwait(false);
            _log.LogWarning("{Path} was renamed during its upload; it stays at {Old} ({Error})", target, meta.PathDisplay, e.TagPath);
            return meta;
        }
    }
}
