using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Revisions;

/// <summary>
/// Node ids for nodes that exist only in this process (revision views, point-in-time trees), with the
/// same exact accounting as <c>NodeTable</c>: +1 per lookup reply or remembered READDIRPLUS entry,
/// −n per FORGET; a node is freed at 0 when it is not open. Ids come from [firstId, …) and are
/// never reused; the same (parent, name) keeps its id while the node lives, and its payload is
/// replaced by the latest one looked up (a history refreshed after its cache expired).
/// </summary>
/// <remarks>One lock (<c>_gate</c>); nothing under it awaits or does I/O.</remarks>
internal sealed class VirtualNodeTable<T>
    where T : class
{
    private readonly object _gate = new();
    private readonly Dictionary<ulong, Slot> _byId = [];
    private readonly Dictionary<(ulong Parent, string Name), ulong> _byName = [];
    private ulong _nextId;

    public VirtualNodeTable(ulong firstId) => _nextId = firstId;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>The node named <paramref name="name"/> under <paramref name="parent"/> (case-insensitive), created or updated.</summary>
    public ulong GetOrAdd(ulong parent, string name, T payload, bool addLookup)
    {
        var key = (parent, name.ToLowerInvariant());
        lock (_gate)
        {
            if (!_byName.TryGetValue(key, out var id) || !_byId.TryGetValue(id, out var slot))
            {
                id = _nextId++;
                slot = new Slot(key);
                _byId[id] = slot;
                _byName[key] = id;
                if (_byId.TryGetValue(parent, out var parentSlot))
                {
                    parentSlot.Children.Add(id);
                }
            }

            slot.Payload = payload;
            if (addLookup)
            {
                slot.Lookups++;
            }

            return id;
        }
    }

    /// <summary>A node the kernel may hold; unknown ids are a stale handle from the kernel's point of view.</summary>
    public T Get(ulong id)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(id, out var slot) ? slot.Payload! : throw new FsException(FsError.NotFound, "stale node");
        }
    }

    /// <summary>Stores a fixed node (the root of a tree) that is never freed.</summary>
    public void AddPinned(ulong id, T payload)
    {
        lock (_gate)
        {
            _byId[id] = new Slot((0, "")) { Payload = payload, Lookups = long.MaxValue / 2 };
        }
    }

    public void Remember(ulong id) => Adjust(id, lookups: 1, opens: 0);

    public void Forget(ulong id, ulong count) => Adjust(id, lookups: -(long)Math.Min(count, long.MaxValue / 4), opens: 0);

    public void AddOpen(ulong id) => Adjust(id, lookups: 0, opens: 1);

    public void RemoveOpen(ulong id) => Adjust(id, lookups: 0, opens: -1);

    private void Adjust(ulong id, long lookups, int opens)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(id, out var slot))
            {
                return; // a FORGET for a node already freed (after its last open) is not an error
            }

            slot.Lookups = Math.Max(0, slot.Lookups + lookups);
            slot.Opens = Math.Max(0, slot.Opens + opens);
            if (slot.Lookups == 0 && slot.Opens == 0 && (lookups < 0 || opens < 0))
            {
                FreeLocked(id, slot);
            }
        }
    }

    /// <summary>
    /// Frees a node and the listed-but-never-remembered children below it (a READDIRPLUS reply cut short
    /// by its buffer leaves some at 0); children the kernel still holds or has open stay.
    /// </summary>
    private void FreeLocked(ulong id, Slot slot)
    {
        _byId.Remove(id);
        if (_byName.TryGetValue(slot.Key, out var named) && named == id)
        {
            _byName.Remove(slot.Key);
        }

        foreach (var child in slot.Children)
        {
            if (_byId.TryGetValue(child, out var c) && c.Lookups == 0 && c.Opens == 0)
            {
                FreeLocked(child, c);
            }
        }
    }

    private sealed class Slot((ulong Parent, string Name) key)
    {
        public (ulong Parent, string Name) Key { get; } = key;

        public T? Payload { get; set; }

        public long Lookups { get; set; }

        public int Opens { get; set; }

        /// <summary>Ids created under this node (some may be freed already).</summary>
        public List<ulong> Children { get; } = [];
    }
}
