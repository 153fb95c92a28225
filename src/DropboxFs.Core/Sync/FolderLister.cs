using DropboxFs.Api;
using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Sync;

/// <summary>
/// Lists folders on first access (list_folder, paged, non-recursive) and stores the result as the
/// folder's complete child set. One listing per folder at a time: concurrent callers share it.
/// </summary>
internal sealed class FolderLister(DropboxClient client, ChangeApplier applier, ApiCallCounter calls, IProgress<IndexProgress>? progress, ILogger logger)
{
    // 2000: the API's maximum page size; a 10k-entry folder takes 5 round trips.
    private const int PageLimit = 2000;

    // A listing that raced with feed pages this many times is applied anyway (the feed then corrects it).
    private const int MaxAttempts = 3;

    // 4 listings at once: `find` on a fresh mount opens folders in parallel, and Dropbox answers many
    // identical-parameter listings at once with rate limits (API reference §5.1).
    private readonly SemaphoreSlim _parallel = new(4, 4);
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    public long Listings { get; private set; }

    /// <summary>Lists <paramref name="folderKey"/> unless a listing of it is already running, then waits for it.</summary>
    public Task ListAsync(string folderKey, CancellationToken ct)
    {
        Task task;
        lock (_inFlight)
        {
            if (!_inFlight.TryGetValue(folderKey, out var running))
            {
                running = ListAndForgetAsync(folderKey);
                _inFlight[folderKey] = running;
            }

            task = running;
        }

        return task.WaitAsync(ct);
    }

    private async Task ListAndForgetAsync(string folderKey)
    {
        try
        {
            // Leave the caller's lock first: the finally below takes it too.
            await Task.Yield();
            await _parallel.WaitAsync().ConfigureAwait(false);
            try
            {
                await ListOnceAsync(folderKey).ConfigureAwait(false);
            }
            finally
            {
                _parallel.Release();
            }
        }
        finally
        {
            lock (_inFlight)
            {
                _inFlight.Remove(folderKey);
            }
        }
    }

    private async Task ListOnceAsync(string folderKey)
    {
        // Not the caller's token: other callers share this listing, one giving up must not fail the rest.
        for (var attempt = 1; ; attempt++)
        {
            var feedPagesBefore = applier.FeedPages;
            var changes = new List<Change>();
            calls.Count("files/list_folder");
            var page = await client.ListFolderAsync(folderKey, new ListFolderOptions { Limit = PageLimit }).ConfigureAwait(false);
            while (true)
            {
                foreach (var entry in page.Entries)
                {
                    var change = RemoteEntries.ToChange(entry);
                    if (!change.IsDelete && change.Key != folderKey)
                    {
                        changes.Add(change);
                    }
                }

                if (!page.HasMore)
                {
                    break;
                }

                progress?.Report(new IndexProgress(Display(folderKey), changes.Count, Completed: false));

                calls.Count("files/list_folder/continue");
                page = await client.ListFolderContinueAsync(page.Cursor).ConfigureAwait(false);
            }

            Listings++;
            var applied = await applier.ApplyListingAsync(folderKey, changes, attempt >= MaxAttempts ? applier.FeedPages : feedPagesBefore, CancellationToken.None).ConfigureAwait(false);
            if (applied)
            {
                progress?.Report(new IndexProgress(Display(folderKey), changes.Count, Completed: true));
                logger.LogDebug("Listed {Folder}: {Count} entries", Display(folderKey), changes.Count);
                return;
            }
        }
    }

    private static string Display(string key) => key.Length == 0 ? "/" : key;
}
