using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;

namespace DropboxFs.Core.Nodes;

/// <summary>
/// A node the kernel knows (or may know: READDIRPLUS candidates). Nodes form a tree of live
/// nodes; a node's path is its parent's path plus its lower-case name, so a rename moves a whole
/// subtree in one step. A node whose entry vanished is detached (<see cref="Parent"/> null) and keeps
/// its last attributes for handles that are still open. All mutable state is guarded by the
/// owning <see cref="NodeTable"/>'s lock.
/// </summary>
internal class Node
{
    internal Node(ulong nodeId, ulong ino, EntryRecord entry)
    {
        NodeId = nodeId;
        Ino = ino;
        Entry = entry;
        LowerName = PathKey.LastComponent(entry.Key);
    }

    public ulong NodeId { get; }

    /// <summary>st_ino: stable across remounts, derived from the Dropbox id.</summary>
    public ulong Ino { get; internal set; }

    /// <summary>The last row seen for this node (attributes, rev, display name).</summary>
    public EntryRecord Entry { get; internal set; }

    public string? DropboxId => Entry.Id;

    public FsNodeKind Kind => Entry.Kind;

    public string Name => Entry.Name;

    internal string LowerName { get; set; }

    internal Node? Parent { get; set; }

    internal Dictionary<string, Node>? Children { get; set; }

    internal bool IsRoot { get; set; }

    /// <summary>Kernel lookup references (LOOKUP/CREATE/MKDIR replies plus Remember, minus Forget).</summary>
    internal ulong LookupCount { get; set; }

    internal int OpenCount { get; set; }

    /// <summary>The content version the kernel's page cache holds (for KEEP_CACHE).</summary>
    internal string? KernelVersion { get; set; }

    /// <summary>Names (other than the display name) the kernel looked this node up by; their dentries need invalidating too.</summary>
    internal HashSet<string>? KernelNames { get; set; }

    /// <summary>Folders: recent names that answered NotFound; the kernel may hold negative dentries for them.</summary>
    internal List<string>? NegativeNames { get; set; }

    internal bool IsAttached => IsRoot || Parent is not null;
}
