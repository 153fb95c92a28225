using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;
using DropboxFs.Emulator.Service;
using DropboxFs.Emulator.Storage;

namespace DropboxFs.Emulator.Handlers;

/// <summary>
/// sharing/create_shared_link_with_settings, list_shared_links, revoke_shared_link (§5.19). Links
/// point at the emulator itself (/s/&lt;key&gt;/&lt;name&gt;) and follow their item across moves (bound by id).
/// </summary>
internal static class SharingHandlers
{
    public static async Task CreateAsync(ApiRequest req)
    {
        var path = PathPatterns.Read(req.Args, "path", PathPatterns.ReadPath);
        req.Args.OptObject("settings")?.Ignore("require_password", "link_password", "expires", "audience", "access",
            "requested_visibility", "allow_download").Done();
        req.Args.Done();
        var result = await req.RunAsync(() =>
        {
            var s = req.State;
            var e = s.LookupReadPathLocked(path, "path");
            var existing = s.Links.ByFileId(e.Id);
            if (existing != null)
            {
                throw Errors.Route("shared_link_already_exists", Errors.Nest("metadata", LinkJson(existing, e)));
            }

            var key = DropboxState.NewOpaque(12);
            var url = new Uri(req.Runtime.BaseUri, $"s/{key}/{Uri.EscapeDataString(e.Name)}?dl=0").ToString();
            var link = new SharedLinkRecord(url, key, e.Id, s.NowSeconds, null);
            s.Links.Insert(link);
            return LinkJson(link, e);
        });
        await req.OkAsync(result);
    }

    public static async Task ListAsync(ApiRequest req)
    {
        var path = req.Args.OptString("path");
        if (path != null)
        {
            PathPatterns.Check(req.Args, "path", path, PathPatterns.ReadPath);
        }

        var cursor = req.Args.OptString("cursor");
        var directOnly = req.Args.Bool("direct_only");
        req.Args.Done();
        if (cursor != null)
        {
            throw Errors.Route(Errors.Tag("reset")); // the emulator never hands out a links cursor
        }

        var links = await req.RunAsync(() =>
        {
            var s = req.State;
            Entry? target = path == null ? null : s.LookupReadPathLocked(path, "path");
            var list = new JsonArray();
            foreach (var link in s.Links.All())
            {
                var e = s.Entries.GetById(link.FileId);
                if (e == null)
                {
                    continue;
                }

                var direct = target == null || e.Id == target.Id;
                var ancestor = target != null && !directOnly && target.PathLower.StartsWith(e.PathLower + "/", StringComparison.Ordinal);
                if (direct || ancestor)
                {
                    list.Add(LinkJson(link, e));
                }
            }

            return list;
        });
        await req.OkAsync(new JsonObject { ["links"] = links, ["has_more"] = false });
    }

    public static async Task RevokeAsync(ApiRequest req)
    {
        var url = req.Args.ReqString("url");
        req.Args.Done();
        await req.RunAsync(() =>
        {
            var link = FindByUrl(req.State, url) ?? throw Errors.Route(Errors.Tag("shared_link_not_found"));
            req.State.Links.Delete(link.Url);
            return 0;
        });
        await req.OkAsync(null);
    }

    /// <summary>GET /s/&lt;key&gt;/&lt;name&gt;: the file's current bytes; folders are not downloadable here.</summary>
    public static async Task ServeSharedLinkAsync(EmulatorRuntime rt, HttpContext ctx)
    {
        var parts = (ctx.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var entry = parts.Length < 2 ? null : await rt.State.RunAsync(() =>
        {
            var link = rt.State.Links.ByKey(parts[1]);
            return link == null ? null : rt.State.Entries.GetById(link.FileId);
        });
        if (entry == null || entry.IsFolder)
        {
            await Responses.TextAsync(ctx, 404, "Not found");
            return;
        }

        await FilesContentHandlers.ServeBlobAsync(rt, ctx, entry.ContentHash!, entry.Size, entry.Name);
    }

    private static SharedLinkRecord? FindByUrl(DropboxState s, string url)
    {
        var exact = s.Links.ByUrl(url);
        if (exact != null)
        {
            return exact;
        }

        var at = url.IndexOf("/s/", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var key = url[(at + 3)..].Split('/', '?')[0];
        return s.Links.ByKey(key);
    }

    private static JsonObject LinkJson(SharedLinkRecord link, Entry e)
    {
        var o = new JsonObject
        {
            [".tag"] = e.IsFolder ? "folder" : "file",
            ["url"] = link.Url,
            ["id"] = e.Id,
            ["name"] = e.Name,
            ["path_lower"] = e.PathLower,
            ["link_permissions"] = new JsonObject
            {
                ["can_revoke"] = true,
                ["visibility_policies"] = new JsonArray(new JsonObject
                {
                    ["policy"] = Errors.Tag("public"),
                    ["resolved_policy"] = Errors.Tag("public"),
                    ["allowed"] = true,
                }),
                ["can_set_expiry"] = false,
                ["can_remove_expiry"] = false,
                ["allow_download"] = true,
                ["can_allow_download"] = true,
                ["can_disallow_download"] = false,
                ["allow_comments"] = true,
                ["team_restricts_comments"] = false,
                ["resolved_visibility"] = Errors.Tag("public"),
                ["requested_visibility"] = Errors.Tag("public"),
            },
        };
        if (!e.IsFolder)
        {
            o["client_modified"] = WireJson.Timestamp(e.ClientModified);
            o["server_modified"] = WireJson.Timestamp(e.ServerModified);
            o["rev"] = e.Rev;
            o["size"] = e.Size;
        }

        return o;
    }
}
