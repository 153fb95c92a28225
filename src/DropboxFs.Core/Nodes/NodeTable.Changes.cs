using DropboxFs.Core.Metadata;

namespace DropboxFs.Core.Nodes;

/// <summary>
/// How remote state changes move live nodes, and which kernel entries and inodes that touches.
/// Applied after the metadata transaction commits, page by page, in server order.
/// </summary>
internal sealed partial class NodeTable
{
    /// <summary>
    /// A file or folder now exists at entry.Key. <paramref name="announceNewName"/>: also invalidate
    /// the name when no node had it (the kernel may hold a negative dentry); false for first listings.
    /// </summary>
    public void ApplyUpsert(EntryRecord entry, bool announceNewName, Invalidations inv)
    {
        lock (_gate)
        {
            _generation++;
            if (entry.Key == RootKey)
            {
                Root.Entry = entry with { Name = Root.Entry.Name };
                return;
            }

            var parent = FindByKeyLocked(entry.ParentKey);
            var lower = PathKey.LastComponent(entry.Key);
            Node? moved = null;
            if (entry.Id is not null && _byDropboxId.TryGetValue(entry.Id, out var byId))
            {
                moved = byId;
            }

            if (parent is null || parent.Kind != FileSystem.FsNodeKind.Directory)
            {
                // The kernel knows nothing at the new place; a node with this id leaves its old one.
                if (moved is not null && !moved.IsRoot && moved.IsAttached)
                {
                    inv.EntryOf(moved);
                    DetachLocked(moved);
                }

                if (moved is not null)
                {
                    moved.Entry = entry;
                }

                return;
            }

            var existing = parent.Children is not null && parent.Children.TryGetValue(lower, out var e) ? e : null;
            if (existing is null && moved is null)
            {
                if (announceNewName)
                {
                    inv.Entry(parent.NodeId, entry.Name);
                }

                AnnounceNegativesLocked(parent, lower, inv);
                return;
            }

            AnnounceNegativesLocked(parent, lower, inv);
            PlaceLocked(parent, entry, inv);
        }
    }

    /// <summary>Negative dentries the kernel may hold for any casing of a name that now exists.</summary>
    private static void AnnounceNegativesLocked(Node parent, string lowerName, Invalidations inv)
    {
        if (parent.NegativeNames is not { Count: > 0 } names)
        {
            return;
        }

        for (var i = names.Count - 1; i >= 0; i--)
        {
            if (PathKey.Normalize(names[i]) == lowerName)
            {
                inv.Entry(parent.NodeId, names[i]);
                names.RemoveAt(i);
            }
        }
    }

    /// <summary>
    /// Our own upload of a file that existed only locally committed: its node (found at the entry's key)
    /// takes the real id in place, so the row update that follows changes no node id and no st_ino.
    /// </summary>
    public void AdoptCommittedId(EntryRecord entry)
    {
        lock (_gate)
        {
            if (entry.Id is null || FindByKeyLocked(entry.Key) is not { } node || !LocalIds.IsLocal(node.DropboxId) || node.Kind != entry.Kind)
            {
                return;
            }

            if (_byDropboxId.TryGetValue(node.DropboxId!, out var same) && ReferenceEquals(same, node))
            {
                _byDropboxId.Remove(node.DropboxId!);
            }

            node.Entry = node.Entry with { Id = entry.Id };
            _byDropboxId[entry.Id] = node;
        }
    }

    /// <summary>Nothing exists at <paramref name="key"/> or below it any more.</summary>
    public void ApplyDelete(string key, Invalidations inv)
    {
        lock (_gate)
        {
            _generation++;
            var node = FindByKeyLocked(key);
            if (node is null || node.IsRoot)
            {
                return;
            }

            inv.EntryOf(node);
            DetachLocked(node);
        }
    }

    /// <summary>After a cursor reset nothing the kernel caches can be trusted.</summary>
    public void InvalidateAll(Invalidations inv)
    {
        lock (_gate)
        {
            _generation++;
            foreach (var node in _byNodeId.Values)
            {
                if (node.IsAttached)
                {
                    inv.EntryOf(node);
                }

                inv.Inode(node.NodeId);
                node.KernelVersion = null;
            }
        }
    }

    private Node PlaceLocked(Node parent, EntryRecord entry, Invalidations inv)
    {
        var lower = PathKey.LastComponent(entry.Key);
        if (parent.Children is not null && parent.Children.TryGetValue(lower, out var existing))
        {
            if (existing.DropboxId == entry.Id && existing.Kind == entry.Kind)
            {
                if (existing.Entry.DiffersInAttributesFrom(entry))
                {
                    inv.Inode(existing.NodeId);
                }

                existing.Entry = entry;
                return existing;
            }

            // Something else now answers to this name (replaced by a new file or folder).
            inv.EntryOf(existing);
            DetachLocked(existing);
        }

        if (entry.Id is not null && _byDropboxId.TryGetValue(entry.Id, out var moved) && !moved.IsRoot && moved.Kind == entry.Kind)
        {
            if (moved.IsAttached)
            {
                inv.EntryOf(moved);
                UnlinkLocked(moved);
            }

            if (moved.Entry.DiffersInAttributesFrom(entry))
            {
                inv.Inode(moved.NodeId);
            }

            moved.Entry = entry;
            moved.KernelNames = null;
            AttachLocked(moved, parent, lower);
            inv.Entry(parent.NodeId, entry.Name);
            return moved;
        }

        var node = CreateLocked(entry);
        AttachLocked(node, parent, lower);
        return node;
    }

    /// <summary>Takes the node out of its parent's child map without freeing it (it is about to move).</summary>
    private static void UnlinkLocked(Node node)
    {
        if (node.Parent is { Children: { } children } && children.TryGetValue(node.LowerName, out var there) && ReferenceEquals(there, node))
        {
            children.Remove(node.LowerName);
        }

        node.Parent = null;
    }
}
