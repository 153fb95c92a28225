using DropboxFs.Api;
using DropboxFs.Core.FileSystem;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Revisions;

/// <summary>
/// list_revisions results, kept briefly so `ls -l` of a history folder (a LOOKUP and GETATTR per
/// entry) costs one API call, not one per entry. Concurrent callers share one request.
/// </summary>
/// <remarks>One lock (<c>_gate</c>), held only to read or swap dictionary entries.</remarks>
internal sealed class RevisionHistoryCache(DropboxFileSystem source, TimeSpan maxAge, ILogger logger)
{
    // 1,024 histories of up to 100 revisions (~0.5 KiB each): at most ~50 MiB in the worst case, usually far less.
    private const int MaxEntries = 1024;

    private readonly object _gate = new();
    private readonly Dictionary<string, Cached> _cache = new(StringComparer.Ordinal);

    /// <summary>Revisions of a file subject, newest first (empty when the server has none).</summary>
    public async Task<IReadOnlyList<FileMetadata>> GetAsync(HistorySubject file, RevisionMode mode, CancellationToken ct)
    {
        // Id mode needs an id; a deleted or never-uploaded file without one falls back to its path.
        var target = mode == RevisionMode.Id && file.Id is { } id ? id : file.Key;
        var effective = target == file.Key ? RevisionMode.Path : mode;
        var key = (effective == RevisionMode.Id ? "i:" : "p:") + target;
        var now = source.Time.GetUtcNow();
        Task<IReadOnlyList<FileMetadata>> task;
        lock (_gate)
        {
            if (!_cache.TryGetValue(key, out var cached) || now - cached.At > maxAge || cached.Task.IsFaulted || cached.Task.IsCanceled)
            {
                if (_cache.Count >= MaxEntries)
                {
                    _cache.Remove(_cache.MinBy(kv => kv.Value.At).Key);
                }

                cached = new Cached(FetchAsync(file, target, effective, ct), now);
                _cache[key] = cached;
            }

            task = cached.Task;
        }

        return await task.ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<FileMetadata>> FetchAsync(HistorySubject file, string target, RevisionMode mode, CancellationToken ct)
    {
        try
        {
            var result = await source.ListRevisionsAsync(target, mode, ct).ConfigureAwait(false);
            return result.Entries;
        }
        catch (FsException e) when (e.Error == FsError.NotFound)
        {
            // A file never uploaded yet, or whose history Dropbox no longer keeps: an empty history folder.
            logger.LogInformation("No revisions of {Path} on the server ({Error}); its history folder is empty", file.Key, e.Message);
            return [];
        }
        catch (FsException e) when (e.Error is FsError.IsDirectory or FsError.NotDirectory)
        {
            logger.LogWarning("{Path} is a folder on the server now, not a file; it has no revisions to list", file.Key);
            throw new FsException(FsError.NotDirectory, $"{file.Key} is a folder on the server, not a file", e);
        }
    }

    private sealed record Cached(Task<IReadOnlyList<FileMetadata>> Task, DateTimeOffset At);
}
