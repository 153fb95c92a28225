using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;

namespace DropboxFs.Emulator.Service;

internal sealed partial class DropboxState
{
    /// <summary>
    /// move_v2: ids and revs stay ([inf] §8.5); the change log gets deletions at the old paths and
    /// additions at the new ones, whole subtrees included (§7). A case-only rename is allowed and
    /// reported as the item at its (unchanged) lower-case path.
    /// </summary>
    public Entry MoveLocked(string from, string to, bool autorename)
    {
        var (src, d) = PrepareRelocationLocked(from, to, autorename, isCopy: false);
        var now = NowSeconds;
        var moved = src with { PathLower = d.Lower, PathDisplay = d.Display };
        _db.InTransaction(() =>
        {
            EnsureParentsLocked(d, now);
            if (d.Lower != src.PathLower)
            {
                LogSubtreeDeletedLocked(src, now);
            }

            Entries.Update(moved);
            Entries.MoveDescendants(src.PathLower, d.Lower, d.Display);
            LogSubtreeAddedLocked(moved, now);
            return 0;
        });
        SignalChangeLocked();
        return moved;
    }

    /// <summary>copy_v2: new ids and revs for everything copied; content blobs are shared.</summary>
    public Entry CopyLocked(string from, string to, bool autorename)
    {
        var (src, d) = PrepareRelocationLocked(from, to, autorename, isCopy: true);
        var descendants = src.IsFolder ? Entries.AllDescendants(src.PathLower) : [];
        var bytes = src.Size + descendants.Sum(x => x.Size);
        if (bytes > 0 && UsedBytesLocked + bytes > QuotaBytes)
        {
            throw new PathFault(PathRole.Target, Errors.InsufficientSpace);
        }

        var now = NowSeconds;
        Entry Copy(Entry e, string lower, string display) => e with
        {
            Id = NewId(),
            PathLower = lower,
            PathDisplay = display,
            Rev = e.IsFolder ? null : NewRev(),
            ServerModified = now,
        };

        var top = Copy(src, d.Lower, d.Display);
        _db.InTransaction(() =>
        {
            EnsureParentsLocked(d, now);
            foreach (var e in descendants.Prepend(src))
            {
                var c = e == src ? top : Copy(e, d.Lower + e.PathLower[src.PathLower.Length..], d.Display + e.PathDisplay[src.PathLower.Length..]);
                Entries.Insert(c);
                if (!c.IsFolder)
                {
                    Revisions.Add(c);
                }

                Changes.Append(c.PathLower, c.PathDisplay, c.IsFolder ? ChangeKind.Folder : ChangeKind.File, now);
            }

            return 0;
        });
        AddUsedLocked(bytes);
        SignalChangeLocked();
        return top;
    }

    private (Entry Source, Target Destination) PrepareRelocationLocked(string from, string to, bool autorename, bool isCopy)
    {
        var s = ResolveLocked(from, "from_path", PathRole.Lookup, write: false);
        var src = RequireLocked(s);
        var d = ResolveLocked(to, "to_path", PathRole.Target, write: true);
        if (d.IsRoot)
        {
            throw new PathFault(PathRole.Target, Errors.MalformedPath);
        }

        if (d.Lower.StartsWith(src.PathLower + "/", StringComparison.Ordinal))
        {
            throw Errors.Route(Errors.Tag("cant_move_folder_into_itself"));
        }

        CheckAncestorsLocked(d, PathRole.Target);
        var existing = Entries.GetByPath(d.Lower);
        var caseOnly = !isCopy && existing?.Id == src.Id && DbxPath.NameOf(to) != src.Name;
        if (existing != null && !caseOnly)
        {
            if (!autorename)
            {
                throw new PathFault(PathRole.Target, Errors.Conflict(existing.IsFolder ? "folder" : "file"));
            }

            d = FreeNameLocked(d, src.IsFolder, conflictedCopy: false);
        }

        if (caseOnly)
        {
            // Resolve returned the stored casing; a case-only rename wants the caller's.
            d = d with { Display = DbxPath.ParentOf(d.Display) + "/" + DbxPath.NameOf(to) };
        }

        return (src, d);
    }

    /// <summary>Logs the item and, for a folder, every descendant (parents first).</summary>
    private void LogSubtreeAddedLocked(Entry e, long now)
    {
        Changes.Append(e.PathLower, e.PathDisplay, e.IsFolder ? ChangeKind.Folder : ChangeKind.File, now);
        if (e.IsFolder)
        {
            foreach (var d in Entries.AllDescendants(e.PathLower))
            {
                Changes.Append(d.PathLower, d.PathDisplay, d.IsFolder ? ChangeKind.Folder : ChangeKind.File, now);
            }
        }
    }
}
