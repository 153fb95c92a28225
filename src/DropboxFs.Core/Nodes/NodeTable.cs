using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;

namespace DropboxFs.Core.Nodes;

/// <summary>
/// Node ids handed to the kernel, their lookup counts and their place in the tree of live nodes.
/// One lock (<see cref="_gate"/>) guards everything; no method awaits or does I/O while holding it.
/// Node ids are never reused (64-bit counter); the root is node 1.
/// </summary>
internal sealed partial class NodeTable
{
    private readonly object _gate = new();
    private readonly Dictionary<ulong, Node> _byNodeId = [];
    private readonly Dictionary<string, Node> _byDropboxId = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, Node> _byIno = [];
    private ulong _nextNodeId = IFileSystem.RootNodeId + 1;
    private long _generation;
    private readonly bool _writable;

    /// <param name="writable">Nodes get the write capabilities (a read-write mount); false for read-only mounts.</param>
    public NodeTable(EntryRecord rootEntry, bool writable = false, string rootDisplayPath = "")
    {
        _writable = writable;
        RootKey = rootEntry.Key;
        RootDisplayPath = rootDisplayPath;
        Root = NewNode(IFileSystem.RootNodeId, IFileSystem.RootNodeId, rootEntry);
        Root.IsRoot = true;
        Root.LookupCount = 1;
        _byNodeId[Root.NodeId] = Root;
        _byIno[Root.Ino] = Root;
    }

    public Node Root { get; }

    /// <summary>
    /// Bumped by every change applied to live nodes. A caller that read rows before a change and
    /// places nodes after it would resurrect what the change removed, so placement checks it.
    /// </summary>
    public long Generation => Interlocked.Read(ref _generation);

    public string RootKey { get; }

    /// <summary>The mounted folder as Dropbox displays it ("" for the whole account).</summary>
    public string RootDisplayPath { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byNodeId.Count;
            }
        }
    }

    public Node Get(ulong nodeId)
    {
        lock (_gate)
        {
            return _byNodeId.TryGetValue(nodeId, out var node) ? node : throw new FsException(FsError.NotFound, $"unknown node {nodeId}");
        }
    }

    /// <summary>The node's current key, or null when its entry is gone (detached).</summary>
    public string? GetKey(Node node)
    {
        lock (_gate)
        {
            return GetKeyLocked(node);
        }
    }

    /// <summary>
    /// The node for <paramref name="entry"/> as a child of <paramref name="parent"/>, reusing the node
    /// already there or the node that carries the same Dropbox id elsewhere (moved), else a new one.
    /// </summary>
    public Node GetOrAddChild(Node parent, EntryRecord entry) =>
        TryGetOrAddChild(parent, entry, Generation) ?? throw new InvalidOperationException("unreachable");

    /// <summary>As <see cref="GetOrAddChild"/>, or null when live nodes changed since <paramref name="generation"/> (re-read the row).</summary>
    public Node? TryGetOrAddChild(Node parent, EntryRecord entry, long generation)
    {
        lock (_gate)
        {
            return _generation != generation ? null : PlaceLocked(parent, entry, new Invalidations());
        }
    }

    /// <summary>The nodes for a folder listing, under one lock acquisition (10k-entry folders); null as in <see cref="TryGetOrAddChild"/>.</summary>
    public Node[]? TryGetOrAddChildren(Node parent, IReadOnlyList<EntryRecord> entries, long generation)
    {
        var result = new Node[entries.Count];
        lock (_gate)
        {
            if (_generation != generation)
            {
                return null;
            }

            var invalidations = new Invalidations();
            for (var i = 0; i < entries.Count; i++)
            {
                result[i] = PlaceLocked(parent, entries[i], invalidations);
            }
        }

        return result;
    }

    /// <summary>One kernel reference from a LOOKUP reply, under the name the kernel used.</summary>
    public void AddLookup(Node node, string kernelName)
    {
        lock (_gate)
        {
            node.LookupCount++;
            if (kernelName != node.Name)
            {
                // 8 alternative casings per node is plenty; beyond that the entry timeout covers it.
                node.KernelNames ??= new HashSet<string>(StringComparer.Ordinal);
                if (node.KernelNames.Count < 8)
                {
                    node.KernelNames.Add(kernelName);
                }
            }
        }
    }

    /// <summary>A LOOKUP of <paramref name="name"/> in <paramref name="parent"/> answered NotFound.</summary>
    public void AddNegative(Node parent, string name)
    {
        lock (_gate)
        {
            parent.NegativeNames ??= [];
            if (parent.NegativeNames.Contains(name))
            {
                return;
            }

            // 16 per folder: enough for the casings a program probes; older ones expire in the kernel anyway.
            if (parent.NegativeNames.Count >= 16)
            {
                parent.NegativeNames.RemoveAt(0);
            }

            parent.NegativeNames.Add(name);
        }
    }

    public void Remember(ulong nodeId)
    {
        lock (_gate)
        {
            if (_byNodeId.TryGetValue(nodeId, out var node))
            {
                node.LookupCount++;
            }
        }
    }

    public void Forget(ulong nodeId, ulong count)
    {
        lock (_gate)
        {
            if (nodeId == IFileSystem.RootNodeId || !_byNodeId.TryGetValue(nodeId, out var node))
            {
                return;
            }

            node.LookupCount = count >= node.LookupCount ? 0 : node.LookupCount - count;
            if (node.LookupCount == 0)
            {
                node.KernelNames = null;
                TryFreeLocked(node);
            }
        }
    }

    public void AddOpen(Node node)
    {
        lock (_gate)
        {
            node.OpenCount++;
        }
    }

    public void RemoveOpen(Node node)
    {
        lock (_gate)
        {
            node.OpenCount--;
            TryFreeLocked(node);
        }
    }

    /// <summary>Records the version the kernel will cache; true when it already had that version (KEEP_CACHE).</summary>
    public bool SetKernelVersion(Node node, string? version)
    {
        lock (_gate)
        {
            var keep = version is not null && node.KernelVersion == version;
            node.KernelVersion = version;
            return keep;
        }
    }

    public Node? FindByKey(string key)
    {
        lock (_gate)
        {
            return FindByKeyLocked(key);
        }
    }

    /// <summary>The node's path with the server's casing (the path uploads and namespace calls use), or null when detached.</summary>
    public string? GetDisplayPath(Node node)
    {
        lock (_gate)
        {
            var parts = new List<string>();
            for (var n = node; !n.IsRoot; n = n.Parent)
            {
                if (n.Parent is null)
                {
                    return null;
                }

                parts.Add(n.Name);
            }

            parts.Reverse();
            return parts.Count == 0 ? RootDisplayPath : RootDisplayPath + "/" + string.Join('/', parts);
        }
    }

    private Node NewNode(ulong nodeId, ulong ino, EntryRecord entry) =>
        _writable ? new WritableNode(nodeId, ino, entry) : new Node(nodeId, ino, entry);

    private string? GetKeyLocked(Node node)
    {
        if (node.IsRoot)
        {
            return RootKey;
        }

        if (node.Parent is null)
        {
            return null;
        }

        var parentKey = GetKeyLocked(node.Parent);
        return parentKey is null ? null : parentKey + "/" + node.LowerName;
    }

    private Node? FindByKeyLocked(string key)
    {
        if (!PathKey.IsSameOrBelow(key, RootKey))
        {
            return null;
        }

        var node = Root;
        var rest = key[RootKey.Length..];
        foreach (var part in rest.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (node.Children is null || !node.Children.TryGetValue(part, out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    private Node CreateLocked(EntryRecord entry)
    {
        var stable = entry.Id ?? entry.Key;
        var salt = 0;
        var ino = InodeNumbers.Derive(stable);
        while (_byIno.TryGetValue(ino, out var other) && (other.DropboxId ?? other.Entry.Key) != stable)
        {
            ino = InodeNumbers.Derive(stable, ++salt);
        }

        var node = NewNode(_nextNodeId++, ino, entry);
        _byNodeId[node.NodeId] = node;
        _byIno[ino] = node;
        if (entry.Id is not null)
        {
            _byDropboxId[entry.Id] = node;
        }

        return node;
    }

    private void AttachLocked(Node node, Node parent, string lowerName)
    {
        node.Parent = parent;
        node.LowerName = lowerName;
        parent.Children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
        parent.Children[lowerName] = node;
    }

    private void DetachLocked(Node node)
    {
        if (node.Parent is not { } parent)
        {
            return;
        }

        UnlinkLocked(node);
        TryFreeLocked(node);
        TryFreeLocked(parent);
    }

    /// <summary>Frees a node nobody references: no kernel lookups, no opens, no live children.</summary>
    private void TryFreeLocked(Node node)
    {
        while (!node.IsRoot && node.LookupCount == 0 && node.OpenCount == 0 && (node.Children is null || node.Children.Count == 0))
        {
            if (!_byNodeId.Remove(node.NodeId))
            {
                return;
            }

            _byIno.Remove(node.Ino);
            if (node.DropboxId is { } id && _byDropboxId.TryGetValue(id, out var same) && ReferenceEquals(same, node))
            {
                _byDropboxId.Remove(id);
            }

            var parent = node.Parent;
            if (parent is null)
            {
                return;
            }

            parent.Children?.Remove(node.LowerName);
            node.Parent = null;
            node = parent;
        }
    }
}
