using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace DropboxFs.Api;

public sealed partial class DropboxClient
{
    /// <summary>files/list_folder: the first page. <paramref name="path"/> "" or "/" is the root; also id:… and
    /// id:…/sub.</summary>
    public async Task<ListFolderResult> ListFolderAsync(string path, ListFolderOptions? options = null, CancellationToken ct = default)
    {
        var result = await RpcAsync("files/list_folder", ListFolderArg(path, options), idempotent: true, ct).ConfigureAwait(false);
        return ApiJson.Deserialize(result, ApiJsonContext.Default.ListFolderResult);
    }

    /// <summary>files/list_folder/continue: the next page, or changes since the cursor once caught up.
    /// Throws <see cref="DropboxApiException"/> with <see cref="DropboxApiException.IsReset"/> when the cursor is invalid.</summary>
    public async Task<ListFolderResult> ListFolderContinueAsync(string cursor, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cursor);
        var result = await RpcAsync("files/list_folder/continue", new JsonObject { ["cursor"] = cursor }, idempotent: true, ct).ConfigureAwait(false);
        return ApiJson.Deserialize(result, ApiJsonContext.Default.ListFolderResult);
    }

    /// <summary>Every entry of a listing, page by page (list_folder then continue while has_more).</summary>
    public async IAsyncEnumerable<Metadata> ListAllAsync(string path, ListFolderOptions? options = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var page = await ListFolderAsync(path, options, ct).ConfigureAwait(false);
        while (true)
        {
            foreach (var entry in page.Entries)
            {
                yield return entry;
            }
            if (!page.HasMore)
            {
                yield break;
            }
            page = await ListFolderContinueAsync(page.Cursor, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Lists every page and returns all entries with the final cursor (for small folders and tools).</summary>
    public async Task<ListFolderResult> ListFolderCompleteAsync(string path, ListFolderOptions? options = null, CancellationToken ct = default)
    {
        var page = await ListFolderAsync(path, options, ct).ConfigureAwait(false);
        var entries = new List<Metadata>(page.Entries);
        while (page.HasMore)
        {
            page = await ListFolderContinueAsync(page.Cursor, ct).ConfigureAwait(false);
            entries.AddRange(page.Entries);
        }
        return new ListFolderResult { Entries = entries, Cursor = page.Cursor, HasMore = false };
    }

    /// <summary>files/list_folder/get_latest_cursor: a cursor positioned at "now" with these listing options.</summary>
    public async Task<string> GetLatestCursorAsync(string path, ListFolderOptions? options = null, CancellationToken ct = default)
    {
        var result = await RpcAsync("files/list_folder/get_latest_cursor", ListFolderArg(path, options), idempotent: true, ct).ConfigureAwait(false);
        return (string?)result?["cursor"] ?? throw new InvalidDataException("get_latest_cursor returned no cursor");
    }

    /// <summary>One page of changes since <paramref name="cursor"/>, with repeated entries coalesced (the last
    /// occurrence of an id or path wins, see <see cref="ChangeCoalescer"/>). Call again with the returned cursor while
    /// <see cref="ListFolderResult.HasMore"/>. A reset throws <see cref="DropboxApiException"/> with IsReset.</summary>
    public async Task<ListFolderResult> ListChangesAsync(string cursor, CancellationToken ct = default)
    {
        var page = await ListFolderContinueAsync(cursor, ct).ConfigureAwait(false);
        return page with { Entries = ChangeCoalescer.Coalesce(page.Entries) };
    }

    /// <summary>files/list_folder/longpoll (notify host, no Authorization header): waits until something changes
    /// after <paramref name="cursor"/> or <paramref name="timeout"/> passes (clamped to 30..480 s, default 30).
    /// The HTTP timeout is timeout + 90 s (Dropbox adds up to 90 s of jitter). A returned backoff is obeyed by the
    /// next call, which waits first.</summary>
    public async Task<LongpollResult> WaitForChangesAsync(string cursor, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(cursor);
        var seconds = (long)Math.Clamp((timeout ?? TimeSpan.FromSeconds(30)).TotalSeconds, 30, 480);
        var notBefore = new DateTimeOffset(Interlocked.Read(ref _longpollNotBeforeTicks), TimeSpan.Zero);
        var wait = notBefore - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }
        var arg = new JsonObject { ["cursor"] = cursor, ["timeout"] = seconds };
        var node = await RpcAsync("files/list_folder/longpoll", arg, idempotent: true, ct, RouteHost.Notify, noAuth: true,
            timeout: TimeSpan.FromSeconds(seconds + 90)).ConfigureAwait(false);
        var result = ApiJson.Deserialize(node, ApiJsonContext.Default.LongpollResult);
        if (result.Backoff is > 0 and var backoff)
        {
            Interlocked.Exchange(ref _longpollNotBeforeTicks, _time.GetUtcNow().AddSeconds(backoff).UtcTicks);
        }
        return result;
    }

    /// <summary>The earliest time the next longpoll may be sent (from the last backoff); MinValue if none.</summary>
    public DateTimeOffset LongpollNotBefore => new(Interlocked.Read(ref _longpollNotBeforeTicks), TimeSpan.Zero);

    private static JsonObject ListFolderArg(string path, ListFolderOptions? options)
    {
        options ??= new ListFolderOptions();
        var arg = new JsonObject
        {
            ["path"] = NormalizeRoot(path),
            ["recursive"] = options.Recursive,
            ["include_deleted"] = options.IncludeDeleted,
            ["include_mounted_folders"] = options.IncludeMountedFolders,
        };
        return arg.AddIf("limit", options.Limit);
    }

    /// <summary>"/" is the root in user terms; the API wants "".</summary>
    private static string NormalizeRoot(string path) => path is "/" or null ? "" : path;
}
