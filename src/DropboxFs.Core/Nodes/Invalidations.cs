namespace DropboxFs.Core.Nodes;

/// <summary>Kernel notifications collected under the node lock and sent after it is released.</summary>
internal sealed class Invalidations
{
    private readonly HashSet<(ulong Parent, string Name)> _entries = [];
    private readonly HashSet<ulong> _inodes = [];
    private readonly List<(ulong Parent, string Name)> _entryOrder = [];
    private readonly List<ulong> _inodeOrder = [];

    public bool IsEmpty => _entryOrder.Count == 0 && _inodeOrder.Count == 0;

    public void Entry(ulong parent, string name)
    {
        if (_entries.Add((parent, name)))
        {
            _entryOrder.Add((parent, name));
        }
    }

    /// <summary>Every name the kernel may hold a dentry for: the display name and any other casing it looked up.</summary>
    public void EntryOf(Node node)
    {
        if (node.Parent is null)
        {
            return;
        }

        Entry(node.Parent.NodeId, node.Name);
        if (node.KernelNames is { } names)
        {
            foreach (var name in names)
            {
                Entry(node.Parent.NodeId, name);
            }
        }
    }

    public void Inode(ulong node)
    {
        if (_inodes.Add(node))
        {
            _inodeOrder.Add(node);
        }
    }

    public IReadOnlyList<(ulong Parent, string Name)> Entries => _entryOrder;

    public IReadOnlyList<ulong> Inodes => _inodeOrder;
}
