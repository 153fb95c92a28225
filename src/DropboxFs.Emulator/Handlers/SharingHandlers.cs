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
        var settings = ReadSettings(req.Args.OptObject("settings"), req.State.NowSeconds);
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
            var link = new SharedLinkRecord(url, key, e.Id, s.NowSeconds, settings.Expires, settings.Password, settings.Visibility, settings.AllowDownload);
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
            return new LinkTarget(link, link == null ? null : rt.State.Entries.GetById(link.FileId));
        });
        if (entry == null || entry.Link == null || entry.Entry == null || entry.Entry.IsFolder)
        {
            await Responses.TextAsync(ctx, 404, "Not found");
            return;
        }

        var (link, file) = (entry.Link, entry.Entry);
        if (link.Expires is long exp && exp <= rt.State.NowSeconds)
        {
            await Responses.TextAsync(ctx, 410, "This link has expired.");
            return;
        }

        if (link.Password != null && ctx.Request.Query["password"] != link.Password)
        {
            await Responses.TextAsync(ctx, 401, "This link is password-protected: add ?password=<link_password>.");
            return;
        }

        if (!link.AllowDownload)
        {
            await Responses.TextAsync(ctx, 403, "Downloads are disabled for this link.");
            return;
        }

        await FilesContentHandlers.ServeBlobAsync(rt, ctx, file.ContentHash!, file.Size, file.Name);
    }

    /// <summary>
    /// The folder a list_folder <c>shared_link</c> argument names, joined with the link-relative
    /// path ("" or "/sub"). Unknown, revoked, expired or wrongly-passworded links are path/not_found.
    /// </summary>
    internal static string ResolveLinkedFolderLocked(DropboxState s, string url, string? password, string relative)
    {
        var link = FindByUrl(s, url);
        var e = link == null ? null : s.Entries.GetById(link.FileId);
        if (e == null || (link!.Expires is long exp && exp <= s.NowSeconds) || (link.Password != null && link.Password != password))
        {
            throw new PathFault(PathRole.Lookup, Errors.NotFound);
        }

        return e.IsFolder ? e.PathDisplay + relative : throw new PathFault(PathRole.Lookup, Errors.NotFolder);
    }

    private sealed record LinkTarget(SharedLinkRecord? Link, Entry? Entry);

    private sealed record LinkSettings(long? Expires, string? Password, string Visibility, bool AllowDownload);

    /// <summary>
    /// SharedLinkSettings (§5.19), honoured: expiry, password protection (served links then need
    /// ?password=), team-only visibility and allow_download. Contradictions are settings_error/invalid_settings.
    /// </summary>
    private static LinkSettings ReadSettings(ArgReader? s, long now)
    {
        if (s == null)
        {
            return new LinkSettings(null, null, "public", true);
        }

        static ApiException Invalid() => Errors.Route("settings_error", Errors.Tag("invalid_settings"));

        var require = s.Bool("require_password");
        var password = s.OptString("link_password");
        long? expires = null;
        var expiresText = s.OptString("expires");
        if (expiresText != null)
        {
            expires = WireJson.TryParseTimestamp(expiresText, out var t)
                ? t
                : throw s.Fail("expires", $"time data '{expiresText}' does not match format '%Y-%m-%dT%H:%M:%SZ'");
            if (expires <= now)
            {
                throw Invalid();
            }
        }

        var audience = s.OptUnion("audience", "public", "team", "no_one", "password", "members", "other")?.Tag;
        s.OptUnion("access", "viewer", "editor", "max", "default");
        var requested = s.OptUnion("requested_visibility", "public", "team_only", "password")?.Tag;
        var allowDownload = s.Bool("allow_download", true);
        s.Done();
        var wantsPassword = require || requested == "password" || audience == "password";
        if (wantsPassword && string.IsNullOrEmpty(password))
        {
            throw Invalid();
        }

        var visibility = wantsPassword ? "password" : requested == "team_only" || audience == "team" ? "team_only" : "public";
        return new LinkSettings(expires, wantsPassword ? password : null, visibility, allowDownload);
    }

    internal static SharedLinkRecord? FindByUrl(DropboxState s, string url)
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
        };
        if (link.Expires is long expires)
        {
            o["expires"] = WireJson.Timestamp(expires);
        }

        o["path_lower"] = e.PathLower;
        o["link_permissions"] = new JsonObject
        {
            ["can_revoke"] = true,
            ["visibility_policies"] = new JsonArray(new JsonObject
            {
                ["policy"] = Errors.Tag(link.Visibility),
                ["resolved_policy"] = Errors.Tag(link.Visibility),
                ["allowed"] = true,
            }),
            ["can_set_expiry"] = true,
            ["can_remove_expiry"] = true,
            ["allow_download"] = link.AllowDownload,
            ["can_allow_download"] = true,
            ["can_disallow_download"] = true,
            ["allow_comments"] = true,
            ["team_restricts_comments"] = false,
            ["resolved_visibility"] = Errors.Tag(link.Visibility),
            ["requested_visibility"] = Errors.Tag(link.Visibility),
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
