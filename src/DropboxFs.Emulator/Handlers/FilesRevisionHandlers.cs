using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator.Handlers;

/// <summary>files/list_revisions (path and id modes) and files/restore (§5.12–5.13).</summary>
internal static class FilesRevisionHandlers
{
    public static async Task ListRevisionsAsync(ApiRequest req)
    {
        var path = PathPatterns.Read(req.Args, "path", PathPatterns.PathOrId);
        var mode = req.Args.OptUnion("mode", "path", "id")?.Tag ?? "path";
        var limit = (int)(req.Args.OptLong("limit", 1, 100) ?? 10);
        var beforeRev = req.Args.OptString("before_rev");
        if (beforeRev != null)
        {
            PathPatterns.Check(req.Args, "before_rev", beforeRev, PathPatterns.Rev, 9);
        }

        req.Args.Bool("include_restorable_info");
        req.Args.Done();
        var result = await req.RunAsync(() =>
        {
            var s = req.State;
            List<Entry> revs;
            bool isDeleted;
            string? deletedPath = null;
            if (mode == "id")
            {
                if (beforeRev != null)
                {
                    throw Errors.Route(Errors.Tag("before_rev_not_supported"));
                }

                var id = path.StartsWith("id:", StringComparison.Ordinal) ? path.Split('/')[0] : null;
                var live = id != null && !path.Contains('/') ? s.Entries.GetById(id) : s.RequireLocked(s.ResolveLocked(path, "path", PathRole.Lookup, false));
                if (live is { IsFolder: true })
                {
                    throw new PathFault(PathRole.Lookup, Errors.NotFile);
                }

                revs = s.Revisions.ById(live?.Id ?? id!);
                isDeleted = live == null;
                deletedPath = revs.FirstOrDefault()?.PathLower;
            }
            else
            {
                var t = s.ResolveLocked(path, "path", PathRole.Lookup, false);
                var live = t.IsRoot ? null : s.Entries.GetByPath(t.Lower);
                if (live is { IsFolder: true })
                {
                    throw new PathFault(PathRole.Lookup, Errors.NotFile);
                }

                revs = s.Revisions.ByPath(t.Lower);
                if (live != null && revs.All(r => r.Rev != live.Rev))
                {
                    revs.Insert(0, live); // moved here: its current revision is listed at its new path
                }

                isDeleted = live == null;
                deletedPath = t.Lower;
                if (beforeRev != null)
                {
                    var at = revs.FindIndex(r => r.Rev == beforeRev);
                    revs = at >= 0 ? revs.Skip(at + 1).ToList() : throw Errors.Route(Errors.Tag("invalid_before_rev"));
                }
            }

            if (revs.Count == 0)
            {
                throw new PathFault(PathRole.Lookup, Errors.NotFound);
            }

            var o = new JsonObject { ["is_deleted"] = isDeleted };
            if (isDeleted && deletedPath != null && s.Changes.Latest(deletedPath) is { Kind: ChangeKind.Deleted } gone)
            {
                o["server_deleted"] = WireJson.Timestamp(gone.Time);
            }

            o["entries"] = new JsonArray(revs.Take(limit).Select(r => (JsonNode)MetadataJson.File(r, tagged: false)).ToArray());
            o["has_more"] = revs.Count > limit;
            return o;
        });
        await req.OkAsync(result);
    }

    public static async Task RestoreAsync(ApiRequest req)
    {
        var path = PathPatterns.Read(req.Args, "path", PathPatterns.WritePath);
        var rev = PathPatterns.Read(req.Args, "rev", PathPatterns.Rev, 9);
        req.Args.Done();
        var file = await req.RunAsync(() => req.State.RestoreLocked(path, rev), "path_lookup", "path_write");
        await req.OkAsync(MetadataJson.File(file, tagged: false));
    }
}
