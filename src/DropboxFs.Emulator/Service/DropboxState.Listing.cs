using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;

namespace DropboxFs.Emulator.Service;

/// <summary>One page of list_folder or list_folder/continue.</summary>
internal sealed record ListPage(JsonArray Entries, string Cursor, bool HasMore);

internal sealed partial class DropboxState
{
    /// <summary>Page size when the caller gives no limit ([inf] §8.9).</summary>
    public const int DefaultPageSize = 500;

    public ListPage ListFolderLocked(string raw, bool recursive, bool includeDeleted, int limit)
    {
        var t = ResolveFolderLocked(raw);
        var cursor = new Cursor(1, Epoch, t.Lower, recursive, includeDeleted, limit, Changes.MaxSeq(), "");
        return InitialPageLocked(cursor, first: true);
    }

    public string LatestCursorLocked(string raw, bool recursive, bool includeDeleted, int limit)
    {
        var t = ResolveFolderLocked(raw);
        return new Cursor(1, Epoch, t.Lower, recursive, includeDeleted, limit, Changes.MaxSeq(), null).Encode();
    }

    public ListPage ContinueLocked(Cursor c)
    {
        CheckCursorLocked(c);
        if (c.After != null)
        {
            if (c.Scope.Length > 0 && Entries.GetByPath(c.Scope) is not { IsFolder: true })
            {
                throw new PathFault(PathRole.Lookup, Errors.NotFound);
            }

            return InitialPageLocked(c, first: false);
        }

        // Delta: the latest state of each path changed after the cursor, in journal order (§7).
        var records = Changes.LatestPerPathSince(c.Seq, c.Scope, c.Recursive, c.Limit + 1);
        var hasMore = records.Count > c.Limit;
        var entries = new JsonArray();
        foreach (var r in records.Take(c.Limit))
        {
            var now = Entries.GetByPath(r.PathLower);
            entries.Add(now != null ? MetadataJson.Of(now, tagged: true) : MetadataJson.Deleted(r.PathLower, r.PathDisplay));
        }

        var seq = hasMore ? records[c.Limit - 1].Seq : Changes.MaxSeq();
        return new ListPage(entries, (c with { Seq = seq }).Encode(), hasMore);
    }

    /// <summary>True when something in the cursor's scope changed after it; raises reset for stale cursors.</summary>
    public bool HasChangesLocked(Cursor c)
    {
        CheckCursorLocked(c);
        return Changes.AnySince(c.Seq, c.Scope, c.Recursive);
    }

    public void CheckCursorLocked(Cursor c)
    {
        if (c.Epoch != Epoch || c.Seq > Changes.MaxSeq())
        {
            throw Errors.Route(Errors.Tag("reset"));
        }
    }

    private ListPage InitialPageLocked(Cursor c, bool first)
    {
        var entries = new JsonArray();
        if (first && c.Recursive && c.Scope.Length > 0)
        {
            entries.Add(MetadataJson.Of(Entries.GetByPath(c.Scope)!, tagged: true)); // §5.1: includes the folder itself
        }

        if (first && c.IncludeDeleted)
        {
            // Limit is advisory: historical deletions all come on the first page.
            foreach (var d in Changes.DeletedWithin(c.Scope, c.Recursive))
            {
                if (d.PathLower != c.Scope && Entries.GetByPath(d.PathLower) == null)
                {
                    entries.Add(MetadataJson.Deleted(d.PathLower, d.PathDisplay));
                }
            }
        }

        var rows = c.Recursive
            ? Entries.Descendants(c.Scope, c.After ?? "", c.Limit + 1)
            : Entries.Children(c.Scope, c.After ?? "", c.Limit + 1);
        var hasMore = rows.Count > c.Limit;
        foreach (var e in rows.Take(c.Limit))
        {
            entries.Add(MetadataJson.Of(e, tagged: true));
        }

        var next = hasMore ? c with { After = rows[c.Limit - 1].PathLower } : c with { After = null };
        return new ListPage(entries, next.Encode(), hasMore);
    }

    private Target ResolveFolderLocked(string raw)
    {
        var t = ResolveLocked(raw, "path", PathRole.Lookup, write: false);
        if (t.IsRoot)
        {
            return t;
        }

        var e = RequireLocked(t);
        return e.IsFolder ? new Target(e.PathLower, e.PathDisplay) : throw new PathFault(PathRole.Lookup, Errors.NotFolder);
    }
}
