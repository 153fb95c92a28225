using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;

namespace DropboxFs.Emulator.Service;

/// <summary>CommitInfo of upload, upload_session/finish and the batch finishes (§5.7).</summary>
internal sealed record CommitInfo(string Path, string Mode, string? UpdateRev, bool Autorename, long? ClientModified, bool StrictConflict);

internal sealed partial class DropboxState
{
    /// <summary>
    /// Commits content (already hashed) at a path with the write-mode rules of §5.7. Identical
    /// content yields the existing metadata and no new rev. <paramref name="adopt"/> moves the
    /// bytes into the blob store and runs only when the commit goes ahead; on a fault the caller
    /// still owns its file.
    /// </summary>
    public Entry CommitFileLocked(CommitInfo info, string hash, long size, Action adopt, bool forceNoSpace = false)
    {
        var t = ResolveLocked(info.Path, "path", PathRole.Write, write: true);
        if (t.IsRoot)
        {
            throw new PathFault(PathRole.Write, Errors.MalformedPath);
        }

        var existing = Entries.GetByPath(t.Lower);
        string? conflict = null;
        if (existing is { IsFolder: true })
        {
            conflict = "folder";
        }
        else if (existing != null)
        {
            var revMatches = info.Mode == "update" && info.UpdateRev == existing.Rev;
            if (existing.ContentHash == hash)
            {
                if (!info.StrictConflict || info.Mode == "overwrite" || revMatches)
                {
                    return existing;
                }

                conflict = "file";
            }
            else if (info.Mode == "add" || (info.Mode == "update" && !revMatches))
            {
                conflict = "file";
            }
        }
        else if (info.Mode == "update" && info.StrictConflict)
        {
            conflict = "file"; // strict: the rev we were told to replace is gone (§5.7)
        }

        CheckAncestorsLocked(t, PathRole.Write);
        if (conflict != null)
        {
            if (!info.Autorename)
            {
                throw new PathFault(PathRole.Write, Errors.Conflict(conflict));
            }

            t = FreeNameLocked(t, isFolder: false, conflictedCopy: info.Mode == "update");
            existing = null;
        }

        if (forceNoSpace || (size > (existing?.Size ?? 0) && UsedBytesLocked - (existing?.Size ?? 0) + size > QuotaBytes))
        {
            throw new PathFault(PathRole.Write, Errors.InsufficientSpace);
        }

        adopt();
        return WriteFileLocked(t, existing, null, hash, size, info.ClientModified ?? NowSeconds);
    }

    /// <summary>Inserts or replaces a file row, records the revision and the change.</summary>
    private Entry WriteFileLocked(Target t, Entry? existing, string? reuseId, string hash, long size, long clientModified)
    {
        var now = NowSeconds;
        var entry = new Entry(existing?.Id ?? reuseId ?? NewId(), t.Lower, t.Display, false, NewRev(), size, hash, clientModified, now);
        _db.InTransaction(() =>
        {
            EnsureParentsLocked(t, now);
            if (existing != null)
            {
                Entries.Update(entry);
            }
            else
            {
                Entries.Insert(entry);
            }

            Revisions.Add(entry);
            Changes.Append(t.Lower, t.Display, ChangeKind.File, now);
            return 0;
        });
        AddUsedLocked(size - (existing?.Size ?? 0));
        SignalChangeLocked();
        return entry;
    }

    public Entry CreateFolderLocked(string raw, bool autorename)
    {
        var t = ResolveLocked(raw, "path", PathRole.Write, write: true);
        if (t.IsRoot)
        {
            throw new PathFault(PathRole.Write, Errors.MalformedPath);
        }

        CheckAncestorsLocked(t, PathRole.Write);
        var existing = Entries.GetByPath(t.Lower);
        if (existing != null)
        {
            if (!autorename)
            {
                throw new PathFault(PathRole.Write, Errors.Conflict(existing.IsFolder ? "folder" : "file"));
            }

            t = FreeNameLocked(t, isFolder: true, conflictedCopy: false);
        }

        var now = NowSeconds;
        var folder = new Entry(NewId(), t.Lower, t.Display, true, null, 0, null, now, now);
        _db.InTransaction(() =>
        {
            EnsureParentsLocked(t, now);
            Entries.Insert(folder);
            Changes.Append(t.Lower, t.Display, ChangeKind.Folder, now);
            return 0;
        });
        SignalChangeLocked();
        return folder;
    }

    /// <summary>Deletes a file or a whole folder; returns the metadata as it was.</summary>
    public Entry DeleteLocked(string raw, string? parentRev)
    {
        var t = ResolveLocked(raw, "path", PathRole.Lookup, write: false);
        var e = RequireLocked(t);
        if (parentRev != null && !e.IsFolder && e.Rev != parentRev)
        {
            throw new PathFault(PathRole.Write, Errors.Conflict("file")); // [inf] §5.10
        }

        var now = NowSeconds;
        var freed = _db.InTransaction(() =>
        {
            var bytes = LogSubtreeDeletedLocked(e, now);
            Entries.DeleteSubtree(e.PathLower);
            return bytes;
        });
        AddUsedLocked(-freed);
        SignalChangeLocked();
        return e;
    }

    /// <summary>Writes the content of an old revision at a path (a new rev unless identical).</summary>
    public Entry RestoreLocked(string raw, string rev)
    {
        var t = ResolveLocked(raw, "path", PathRole.Write, write: true);
        var r = Revisions.Get(rev) ?? throw Errors.Route(Errors.Tag("invalid_revision"));
        if (t.IsRoot)
        {
            throw new PathFault(PathRole.Write, Errors.MalformedPath);
        }

        var existing = Entries.GetByPath(t.Lower);
        if (existing is { IsFolder: true })
        {
            throw new PathFault(PathRole.Write, Errors.Conflict("folder"));
        }

        if (existing?.ContentHash == r.ContentHash)
        {
            return existing!;
        }

        CheckAncestorsLocked(t, PathRole.Write);
        var reuse = existing == null && Entries.GetById(r.Id) == null ? r.Id : null;
        return WriteFileLocked(t, existing, reuse, r.ContentHash!, r.Size, r.ClientModified);
    }

    /// <summary>Logs a deletion for every descendant (deepest first) and then the item itself; returns their file bytes.</summary>
    private long LogSubtreeDeletedLocked(Entry e, long now)
    {
        var bytes = e.Size;
        if (e.IsFolder)
        {
            foreach (var d in Entries.AllDescendants(e.PathLower).AsEnumerable().Reverse())
            {
                Changes.Append(d.PathLower, d.PathDisplay, ChangeKind.Deleted, now);
                bytes += d.Size;
            }
        }

        Changes.Append(e.PathLower, e.PathDisplay, ChangeKind.Deleted, now);
        return bytes;
    }

    private void CheckAncestorsLocked(Target t, PathRole role)
    {
        foreach (var a in DbxPath.Ancestors(t.Lower))
        {
            if (Entries.GetByPath(a) is { IsFolder: false })
            {
                throw new PathFault(role, Errors.Conflict("file_ancestor"));
            }
        }
    }

    /// <summary>Creates missing parent folders (parents first), each logged as a change.</summary>
    private void EnsureParentsLocked(Target t, long now)
    {
        foreach (var a in DbxPath.Ancestors(t.Lower))
        {
            if (Entries.GetByPath(a) == null)
            {
                var display = t.Display[..a.Length];
                Entries.Insert(new Entry(NewId(), a, display, true, null, 0, null, now, now));
                Changes.Append(a, display, ChangeKind.Folder, now);
            }
        }
    }

    /// <summary>"name (1).ext", "name (2).ext"…, or "name (conflicted copy).ext" for update conflicts ([inf] §8.3).</summary>
    private Target FreeNameLocked(Target t, bool isFolder, bool conflictedCopy)
    {
        var name = t.Name;
        var dot = isFolder ? -1 : name.LastIndexOf('.');
        var (stem, ext) = dot > 0 ? (name[..dot], name[dot..]) : (name, "");
        var parent = DbxPath.ParentOf(t.Display);
        for (var n = 1; ; n++)
        {
            var suffix = conflictedCopy ? (n == 1 ? " (conflicted copy)" : $" (conflicted copy {n})") : $" ({n})";
            var display = parent + "/" + stem + suffix + ext;
            var lower = DbxPath.Lower(display);
            if (Entries.GetByPath(lower) == null)
            {
                return new Target(lower, display);
            }
        }
    }
}
