using DropboxFs.Api;
using DropboxFs.Core.Metadata;
using DropboxFs.Core.Sync;
using DropboxFs.Core.Uploads;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core;

/// <summary>Our own commits: the row takes the new rev/hash/id at once, so the feed's echo of the same
/// commit finds nothing to change (no kernel invalidation, no re-download).</summary>
public sealed partial class DropboxFileSystem
{
    private async ValueTask OnCommittedAsync(UploadCommitted c)
    {
        try
        {
            var landed = RemoteEntries.ToChange(c.Metadata);
            if (!c.IsConflictCopy && landed.Entry is { } entry)
            {
                _nodes.AdoptCommittedId(entry);
                await _applier.ApplyLocalAsync([landed], CancellationToken.None).ConfigureAwait(false);
            }

            var targetKey = PathKey.Normalize(c.TargetPath);
            await _writeGate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_local.TryGetValue(targetKey, out var local))
                {
                    await ForgetIfIdleLockedAsync(local).ConfigureAwait(false);
                }
            }
            finally
            {
                _writeGate.Release();
            }

            if (c.IsConflictCopy)
            {
                // Ours went to a conflicted copy; the target holds the other version. Show both as Dropbox has them.
                _calls.Count("files/get_metadata");
                var theirs = await _client.TryGetMetadataAsync(c.TargetPath).ConfigureAwait(false);
                var target = theirs is null ? new Change(targetKey, null) : RemoteEntries.ToChange(theirs);
                await _applier.ApplyFetchedAsync([landed, target], CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (ApiErrors.IsRemoteFailure(e) || e is Microsoft.Data.Sqlite.SqliteException)
        {
            // The commit itself succeeded; the feed brings the row up to date later.
            _logger.LogWarning("Recording the commit of {Path} failed: {Error}", c.TargetPath, e.Message);
        }
    }
}
