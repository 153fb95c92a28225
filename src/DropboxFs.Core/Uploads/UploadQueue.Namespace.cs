using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Uploads;

/// <summary>Namespace operations that touch files still pending upload: applied to the journal in one
/// local transaction, without a Dropbox call.</summary>
public sealed partial class UploadQueue
{
    /// <summary>
    /// A rename of <paramref name="fromPath"/> (a file, or a folder with pending files below it) to
    /// <paramref name="toPath"/>. Pending jobs follow the file, so it is uploaded once, under the new name.
    /// For the renamed file itself, <paramref name="baseRevAtTarget"/> is the rev its commit must replace
    /// at the new name: the replaced file's rev for a rename over an existing file, the moved rev when
    /// the facade moved an uploaded file on the server, null when nothing is there (add). Pending jobs
    /// of a file that is replaced are superseded (their staging dropped) unless in flight.
    /// Returns true when any pending job was re-targeted.
    /// </summary>
    public async Task<bool> RetargetAsync(string fromPath, string toPath, string? baseRevAtTarget, CancellationToken ct = default)
    {
        var fromKey = PathKey.Normalize(fromPath);
        var toKey = PathKey.Normalize(toPath);
        var dropped = new List<string>();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var moved = await _journal.WriteAsync((c, tx) =>
            {
                var rows = UploadJobTable.All(c, tx);
                var moving = rows.Where(r => PathKey.IsSameOrBelow(r.PathKey, fromKey)).ToList();
                if (moving.Count == 0)
                {
                    return false;
                }

                if (toKey != fromKey)
                {
                    foreach (var replaced in rows.Where(r => r.PathKey == toKey && !_inFlight.Contains(r.Id) && r.State != UploadState.Writing))
                    {
                        UploadJobTable.Delete(c, tx, replaced.Id);
                        dropped.Add(StagingPath(replaced.Staging));
                    }
                }

                foreach (var row in moving)
                {
                    var newPath = toPath + row.Path[fromPath.Length..];
                    var exact = row.PathKey == fromKey;
                    UploadJobTable.Update(c, tx, row with
                    {
                        Path = newPath,
                        PathKey = PathKey.Normalize(newPath),
                        BaseRev = exact ? baseRevAtTarget : row.BaseRev,
                    });
                }

                return true;
            }, ct).ConfigureAwait(false);

            foreach (var (key, writer) in _writers.Where(w => PathKey.IsSameOrBelow(w.Key, fromKey)).ToList())
            {
                _writers.Remove(key);
                var newPath = toPath + writer.Path[fromPath.Length..];
                writer.Retarget(newPath);
                _writers[PathKey.Normalize(newPath)] = writer;
            }

            if (moved)
            {
                _log.LogDebug("Pending upload(s) of {From} now go to {To}", fromPath, toPath);
            }

            return moved;
        }
        finally
        {
            _gate.Release();
            foreach (var file in dropped)
            {
                File.Delete(file);
            }

            NotifyChanged();
        }
    }

    /// <summary>
    /// utimens of a pending file: the newest job's client_modified changes in place, also while it uploads
    /// (the finish re-reads the row), so rsync's SETATTR after RELEASE costs no second upload. False when
    /// nothing is pending (the caller opens a writer). A finish already sent carries the old time; Dropbox
    /// then keeps that one, as it ignores a later upload of identical content.
    /// </summary>
    public async Task<bool> SetClientModifiedAsync(string path, DateTimeOffset modified, CancellationToken ct = default)
    {
        var key = PathKey.Normalize(path);
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_writers.TryGetValue(key, out var writer))
            {
                writer.SetClientModified(modified);
                return true;
            }

            return await _journal.WriteAsync((c, tx) =>
            {
                if (UploadJobTable.NewestForKey(c, tx, key) is not { } job)
                {
                    return false;
                }

                UploadJobTable.Update(c, tx, job with { ClientModified = modified });
                return true;
            }, ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>An unlink of a pending file: its jobs are cancelled and their staging dropped (an open
    /// writer keeps its staging for its file descriptor until release). A commit already in flight is
    /// deleted again from the server when it lands. Returns true when a pending job was cancelled.</summary>
    public async Task<bool> CancelAsync(string path, CancellationToken ct = default)
    {
        var key = PathKey.Normalize(path);
        var dropped = new List<string>();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_writers.Remove(key, out var writer))
            {
                writer.MarkCancelled();
            }

            var cancelled = await _journal.WriteAsync((c, tx) =>
            {
                var n = 0;
                foreach (var row in UploadJobTable.All(c, tx).Where(r => r.PathKey == key))
                {
                    ForgetStreamedWriter(row.Id);
                    UploadJobTable.Delete(c, tx, row.Id);
                    if (!_inFlight.Contains(row.Id) && (writer is null || row.Id != writer.JobId))
                    {
                        dropped.Add(StagingPath(row.Staging));
                    }

                    n++;
                }

                return n;
            }, ct).ConfigureAwait(false);
            foreach (var id in _waiters.Keys.ToList())
            {
                if (_journal.Jobs.Get(id) is null && _waiters.TryRemove(id, out var waiter))
                {
                    waiter.TrySetResult(new UploadJobStatus(id, path, UploadState.Committed, 0, 0, 0, "cancelled by unlink", false));
                }
            }

            return cancelled > 0;
        }
        finally
        {
            _gate.Release();
            foreach (var file in dropped)
            {
                File.Delete(file);
            }

            NotifyChanged();
        }
    }
}
