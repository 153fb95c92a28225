using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator.Handlers;

/// <summary>files/download, files/upload, files/get_temporary_link and the link downloads they hand out.</summary>
internal static class FilesContentHandlers
{
    private static readonly TimeSpan s_linkLifetime = TimeSpan.FromHours(4);

    public static async Task DownloadAsync(ApiRequest req)
    {
        var path = PathPatterns.Read(req.Args, "path", PathPatterns.ReadPath);
        var rev = req.Args.OptString("rev");
        req.Args.Done();
        var file = await req.RunAsync(() =>
        {
            var e = rev != null
                ? req.State.Revisions.Get(rev) ?? throw new PathFault(PathRole.Lookup, Errors.NotFound)
                : req.State.LookupReadPathLocked(path, "path");
            return e.IsFolder ? throw new PathFault(PathRole.Lookup, Errors.NotFile) : e;
        });

        var ctx = req.Http;
        var etag = $"\"{file.Rev}\"";
        if (ctx.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            ctx.Response.StatusCode = 304;
            ctx.Response.Headers.ETag = etag;
            return;
        }

        var range = BodyStreams.ParseRange(ctx.Request.Headers.Range, file.Size);
        if (range is { Satisfiable: false })
        {
            throw Errors.Route("range", Errors.Tag("not_satisfiable")); // [inf] §1.4: SDK helpers key on range/not_satisfiable
        }

        ctx.Response.Headers["Dropbox-API-Result"] = WireJson.Header(MetadataJson.File(file, tagged: false));
        ctx.Response.Headers.ETag = etag;
        await SendContentAsync(req.Runtime, ctx, file.ContentHash!, file.Size, range, "application/octet-stream",
            req.Has(FaultKind.ResetConnection) ? req.Fault!.AfterBytes : -1);
    }

    public static async Task UploadAsync(ApiRequest req)
    {
        var info = HandlerArgs.ReadCommit(req.Args);
        var expectedHash = HandlerArgs.ReadContentHash(req.Args);
        req.Args.Done();

        var temp = req.State.Blobs.NewTempPath();
        try
        {
            long length;
            string hash;
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous))
            {
                (length, hash) = await BodyStreams.ReceiveAsync(req, handle, 0, EmulatorServer.MaxUploadBody,
                    () => Errors.Route(Errors.Tag("payload_too_large")));
            }

            if (expectedHash != null && expectedHash != hash)
            {
                throw Errors.Route(Errors.Tag("content_hash_mismatch"));
            }

            Entry entry;
            try
            {
                entry = await req.State.RunAsync(() => req.State.CommitFileLocked(info, hash, length,
                    () => req.State.Blobs.Adopt(temp, hash), req.Has(FaultKind.InsufficientSpace)), req.Aborted);
            }
            catch (PathFault f)
            {
                // §5.7: the bytes are kept in a session, so the client may retry with upload_session/finish.
                var sessionId = await req.State.RunAsync(() => req.State.AdoptAsSessionLocked(temp, length));
                var reason = f.Role == PathRole.Lookup ? Errors.MalformedPath : f.Inner;
                throw Errors.Route(Errors.Inline("path", ("reason", reason), ("upload_session_id", sessionId)));
            }

            await req.OkAsync(MetadataJson.File(entry, tagged: false));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public static async Task GetTemporaryLinkAsync(ApiRequest req)
    {
        var path = PathPatterns.Read(req.Args, "path", PathPatterns.ReadPath);
        req.Args.Done();
        var file = await req.RunAsync(() =>
        {
            var e = req.State.LookupReadPathLocked(path, "path");
            return e.IsFolder ? throw new PathFault(PathRole.Lookup, Errors.NotFile) : e;
        });
        if (req.Runtime.TemporaryLinks.Count > 10_000)
        {
            // Links live 4 h; a long benchmark must not grow this map forever.
            foreach (var (key, old) in req.Runtime.TemporaryLinks)
            {
                if (old.ExpiresMs <= req.State.NowMs)
                {
                    req.Runtime.TemporaryLinks.TryRemove(key, out _);
                }
            }
        }

        var token = DropboxState.NewOpaque(18);
        req.Runtime.TemporaryLinks[token] = new TemporaryLink(file.ContentHash!, file.Size, file.Name,
            req.State.NowMs + (long)s_linkLifetime.TotalMilliseconds);
        var link = new Uri(req.Runtime.BaseUri, "_link/" + token + "/" + Uri.EscapeDataString(file.Name));
        await req.OkAsync(new JsonObject { ["metadata"] = MetadataJson.File(file, tagged: false), ["link"] = link.ToString() });
    }

    /// <summary>GET /_link/&lt;token&gt;/&lt;name&gt;: 404 unknown, 410 after expiry, Range → 206/416.</summary>
    public static async Task ServeTemporaryLinkAsync(EmulatorRuntime rt, HttpContext ctx)
    {
        var parts = (ctx.Request.Path.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !rt.TemporaryLinks.TryGetValue(parts[1], out var link))
        {
            await Responses.TextAsync(ctx, 404, "Not found");
            return;
        }

        if (link.ExpiresMs <= rt.State.NowMs)
        {
            await Responses.TextAsync(ctx, 410, "Gone");
            return;
        }

        await ServeBlobAsync(rt, ctx, link.Hash, link.Size, link.Name);
    }

    /// <summary>Plain HTTP download of a blob (links): Range → 206, unsatisfiable → 416.</summary>
    public static async Task ServeBlobAsync(EmulatorRuntime rt, HttpContext ctx, string hash, long size, string name)
    {
        var range = BodyStreams.ParseRange(ctx.Request.Headers.Range, size);
        if (range is { Satisfiable: false })
        {
            ctx.Response.Headers.ContentRange = $"bytes */{size}";
            await Responses.TextAsync(ctx, 416, "Range Not Satisfiable");
            return;
        }

        ctx.Response.Headers.ContentDisposition = $"attachment; filename*=UTF-8''{Uri.EscapeDataString(name)}";
        await SendContentAsync(rt, ctx, hash, size, range, MimeOf(name), -1);
    }

    private static async Task SendContentAsync(EmulatorRuntime rt, HttpContext ctx, string hash, long size,
        (long Start, long End, bool Satisfiable)? range, string contentType, long abortAfter)
    {
        var (start, length) = range is { } r ? (r.Start, r.End - r.Start + 1) : (0L, size);
        ctx.Response.StatusCode = range != null ? 206 : 200;
        if (range != null)
        {
            ctx.Response.Headers.ContentRange = $"bytes {start}-{start + length - 1}/{size}";
        }

        ctx.Response.Headers.ContentType = contentType;
        ctx.Response.Headers.AcceptRanges = "bytes";
        ctx.Response.ContentLength = length;
        if (ctx.Request.Method == "HEAD" || length == 0)
        {
            return;
        }

        await using var blob = rt.State.Blobs.OpenRead(hash);
        await BodyStreams.SendAsync(ctx, rt.Downstream, blob, start, length, abortAfter);
    }

    private static string MimeOf(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".txt" => "text/plain",
        ".json" => "application/json",
        ".html" or ".htm" => "text/html",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".pdf" => "application/pdf",
        _ => "application/octet-stream",
    };
}
