using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator.Handlers;

/// <summary>files/get_metadata and the list_folder family, including the notify-host longpoll.</summary>
internal static class FilesMetadataHandlers
{
    public static async Task GetMetadataAsync(ApiRequest req)
    {
        var path = req.Args.ReqString("path");
        if (path is "/" or "")
        {
            throw Errors.BadArg("path", "The root folder is unsupported.");
        }

        PathPatterns.Check(req.Args, "path", path, PathPatterns.ReadPath);
        var includeDeleted = req.Args.Bool("include_deleted");
        req.Args.Bool("include_media_info");
        req.Args.Bool("include_has_explicit_shared_members");
        req.Args.Ignore("include_property_groups");
        req.Args.Done();
        var result = await req.RunAsync<JsonObject>(() =>
        {
            try
            {
                return MetadataJson.Of(req.State.LookupReadPathLocked(path, "path"), tagged: true);
            }
            catch (PathFault f) when (includeDeleted && f.Inner[".tag"]?.GetValue<string>() == "not_found" && path.StartsWith('/'))
            {
                var lower = DbxPath.Lower(path);
                var last = req.State.Changes.Latest(lower);
                if (last is { Kind: ChangeKind.Deleted })
                {
                    return MetadataJson.Deleted(lower, last.PathDisplay);
                }

                throw;
            }
        });
        await req.OkAsync(result);
    }

    public static async Task ListFolderAsync(ApiRequest req)
    {
        var (path, recursive, includeDeleted, limit, link) = ReadListArg(req.Args);
        var page = await req.RunAsync(() => req.State.ListFolderLocked(Linked(req, path, link), recursive, includeDeleted, limit));
        await req.OkAsync(Page(page));
    }

    public static async Task GetLatestCursorAsync(ApiRequest req)
    {
        var (path, recursive, includeDeleted, limit, link) = ReadListArg(req.Args);
        var cursor = await req.RunAsync(() => req.State.LatestCursorLocked(Linked(req, path, link), recursive, includeDeleted, limit));
        await req.OkAsync(new JsonObject { ["cursor"] = cursor });
    }

    public static async Task ContinueAsync(ApiRequest req)
    {
        var cursor = ReadCursor(req.Args);
        req.Args.Done();
        if (req.Has(FaultKind.LongpollReset))
        {
            throw Errors.Route(Errors.Tag("reset"));
        }

        var page = await req.RunAsync(() => req.State.ContinueLocked(cursor));
        await req.OkAsync(Page(page));
    }

    /// <summary>
    /// Answers {changes:true} as soon as the cursor's scope has something newer, else waits for a
    /// change signal or the timeout (30–480 s; no jitter added, so tests stay fast).
    /// </summary>
    public static async Task LongpollAsync(ApiRequest req)
    {
        var cursor = ReadCursor(req.Args);
        var timeout = req.Args.OptLong("timeout", 30, 480) ?? 30;
        req.Args.Done();
        if (req.Has(FaultKind.LongpollReset))
        {
            throw Errors.Route(Errors.Tag("reset"));
        }

        var time = req.State.Time;
        var deadline = time.GetUtcNow() + TimeSpan.FromSeconds(timeout);
        bool changes;
        while (true)
        {
            var (found, signal) = await req.RunAsync(() => (req.State.HasChangesLocked(cursor), req.State.ChangeSignal));
            changes = found;
            var left = deadline - time.GetUtcNow();
            if (changes || left <= TimeSpan.Zero || req.Runtime.Stopping.IsCancellationRequested)
            {
                break;
            }

            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(req.Aborted, req.Runtime.Stopping.Token))
            {
                await Task.WhenAny(signal, Task.Delay(left, time, wait.Token));
                await wait.CancelAsync(); // drop the timer when the signal won
            }

            req.Aborted.ThrowIfCancellationRequested();
        }

        var result = new JsonObject { ["changes"] = changes };
        if (req.Runtime.LongpollBackoffSeconds > 0)
        {
            result["backoff"] = req.Runtime.LongpollBackoffSeconds;
        }

        await req.OkAsync(result);
    }

    /// <summary>The path to list: as given, or relative to a shared link's folder (called under the state lock).</summary>
    private static string Linked(ApiRequest req, string path, (string Url, string? Password)? link) =>
        link is { } l ? SharingHandlers.ResolveLinkedFolderLocked(req.State, l.Url, l.Password, path) : path;

    private static (string Path, bool Recursive, bool IncludeDeleted, int Limit, (string Url, string? Password)? Link) ReadListArg(ArgReader a)
    {
        var path = a.ReqString("path");
        if (path == "/")
        {
            throw Errors.BadArg("path", "Specify the root folder as an empty string rather than as \"/\".");
        }

        PathPatterns.Check(a, "path", path, PathPatterns.PathROrId);
        var recursive = a.Bool("recursive");
        var includeDeleted = a.Bool("include_deleted");
        var limit = (int)(a.OptLong("limit", 1, 2000) ?? DropboxState.DefaultPageSize);
        a.Bool("include_media_info");
        a.Bool("include_has_explicit_shared_members");
        a.Bool("include_mounted_folders", true);
        a.Bool("include_non_downloadable_files", true);
        a.Bool("include_restorable_info");
        (string, string?)? link = null;
        var shared = a.OptObject("shared_link");
        if (shared != null)
        {
            link = (shared.ReqString("url"), shared.OptString("password"));
            shared.Done();
            if (recursive)
            {
                throw Errors.BadArg("shared_link", "recursive listing is not supported for shared links");
            }

            if (path.StartsWith("id:", StringComparison.Ordinal) || path.StartsWith("ns:", StringComparison.Ordinal))
            {
                throw Errors.BadArg("path", "with shared_link, path must be relative to the link (\"\" or \"/sub\")");
            }
        }

        a.Ignore("include_property_groups");
        a.Done();
        return (path, recursive, includeDeleted, limit, link);
    }

    private static Cursor ReadCursor(ArgReader a)
    {
        var text = a.ReqString("cursor");
        return Cursor.TryDecode(text, out var c) ? c : throw Errors.BadRequest($"Invalid \"cursor\" parameter: '{text}'");
    }

    private static JsonObject Page(ListPage p) => new() { ["entries"] = p.Entries, ["cursor"] = p.Cursor, ["has_more"] = p.HasMore };
}
