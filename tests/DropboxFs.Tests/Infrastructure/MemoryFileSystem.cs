using System.Collections.Concurrent;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Infrastructure;

/// <summary>
/// An in-memory <see cref="IFileSystem"/> for adapter tests: a real tree with exact lookup counts and
/// a log of every call. One lock guards the whole tree; it is a test double, not a fast filesystem.
/// </summary>
public sealed class MemoryFileSystem : IFileSystem
{
    private readonly object _lock = new();
    private readonly Dictionary<ulong, Node> _nodes = [];
    private readonly Dictionary<ulong, ulong> _handles = []; // handle → node
    private readonly ConcurrentQueue<string> _calls = new();
    private ulong _nextNode = IFileSystem.RootNodeId;
    private ulong _nextHandle;

    public MemoryFileSystem(DateTimeOffset? time = null)
    {
        Time = time ?? new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero);
        _nodes[IFileSystem.RootNodeId] = new Node(IFileSystem.RootNodeId, 0, "", FsNodeKind.Directory, Time);
    }

    public DateTimeOffset Time { get; }

    /// <summary>Every mutation answers ReadOnly, like a read-only mount.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>When set, reads wait for it (or for cancellation): lets tests hold a request in flight.</summary>
    public TaskCompletionSource? ReadGate { get; set; }

    public IReadOnlyList<string> Calls => _calls.ToArray();

    public FsStatFs StatFs { get; set; } = new(2L << 40, 1L << 40, 1_000_000, 900_000, 255);

    private sealed class Node(ulong id, ulong parent, string name, FsNodeKind kind, DateTimeOffset time)
    {
        public ulong Id { get; } = id;
        public ulong Parent { get; set; } = parent;
        public string Name { get; set; } = name;
        public FsNodeKind Kind { get; } = kind;
        public SortedDictionary<string, ulong> Children { get; } = new(StringComparer.Ordinal);
        public byte[] Content { get; set; } = [];
        public DateTimeOffset Mtime { get; set; } = time;
        public ulong Lookups { get; set; }
        public bool Linked { get; set; } = true;
    }

    public ulong AddFile(ulong parent, string name, byte[] content)
    {
        lock (_lock)
        {
            var node = Link(parent, name, FsNodeKind.File);
            node.Content = content;
            return node.Id;
        }
    }

    public ulong AddDirectory(ulong parent, string name)
    {
        lock (_lock)
        {
            return Link(parent, name, FsNodeKind.Directory).Id;
        }
    }

    public ulong LookupCount(ulong node)
    {
        lock (_lock)
        {
            return _nodes.TryGetValue(node, out var n) ? n.Lookups : 0;
        }
    }

    public byte[] ContentOf(ulong node)
    {
        lock (_lock)
        {
            return _nodes[node].Content.ToArray();
        }
    }

    public ulong? Find(ulong parent, string name)
    {
        lock (_lock)
        {
            return _nodes[parent].Children.TryGetValue(name, out ulong id) ? id : null;
        }
    }

    public int OpenHandleCount
    {
        get
        {
            lock (_lock)
            {
                return _handles.Count;
            }
        }
    }

    public ValueTask<FsEntry> LookupAsync(ulong parent, string name, CancellationToken ct)
    {
        Record($"Lookup({parent},{name})");
        lock (_lock)
        {
            var dir = DirectoryLocked(parent);
            if (!dir.Children.TryGetValue(name, out ulong id))
            {
                throw new FsException(FsError.NotFound);
            }

            var node = _nodes[id];
            node.Lookups++;
            return ValueTask.FromResult(EntryLocked(node));
        }
    }

    public void Remember(ulong node)
    {
        Record($"Remember({node})");
        lock (_lock)
        {
            _nodes[node].Lookups++;
        }
    }

    public void Forget(ulong node, ulong count)
    {
        Record($"Forget({node},{count})");
        lock (_lock)
        {
            if (_nodes.TryGetValue(node, out var n))
            {
                n.Lookups = n.Lookups >= count ? n.Lookups - count : throw new InvalidOperationException($"node {node} forgotten below zero");
            }
        }
    }

    public ValueTask<FsAttributes> GetAttrAsync(ulong node, CancellationToken ct)
    {
        Record($"GetAttr({node})");
        lock (_lock)
        {
            return ValueTask.FromResult(AttributesLocked(NodeLocked(node)));
        }
    }

    public ValueTask<FsAttributes> SetAttrAsync(ulong node, FsSetAttr change, CancellationToken ct)
    {
        Record($"SetAttr({node},{change.Size},{change.ModifiedTime?.ToUnixTimeSeconds()})");
        lock (_lock)
        {
            ThrowIfReadOnly();
            var n = NodeLocked(node);
            if (change.Size is long size)
            {
                var content = n.Content;
                Array.Resize(ref content, (int)size);
                n.Content = content;
            }

            if (change.ModifiedTime is { } mtime)
            {
                n.Mtime = mtime;
            }

            return ValueTask.FromResult(AttributesLocked(n));
        }
    }

    public ValueTask<IReadOnlyList<FsDirEntry>> ReadDirAsync(ulong node, CancellationToken ct)
    {
        Record($"ReadDir({node})");
        lock (_lock)
        {
            var dir = DirectoryLocked(node);
            IReadOnlyList<FsDirEntry> list = dir.Children.Select(c => new FsDirEntry(c.Key, EntryLocked(_nodes[c.Value]))).ToList();
            return ValueTask.FromResult(list);
        }
    }

    public ValueTask<FsOpenResult> OpenAsync(ulong node, FsOpenFlags flags, CancellationToken ct)
    {
        Record($"Open({node},{flags})");
        lock (_lock)
        {
            var n = NodeLocked(node);
            if (n.Kind == FsNodeKind.Directory)
            {
                throw new FsException(FsError.IsDirectory);
            }

            if ((flags & (FsOpenFlags.Write | FsOpenFlags.Truncate)) != 0)
            {
                ThrowIfReadOnly();
            }

            if (flags.HasFlag(FsOpenFlags.Truncate))
            {
                n.Content = [];
            }

            ulong handle = ++_nextHandle;
            _handles[handle] = node;
            return ValueTask.FromResult(new FsOpenResult(handle, KeepCache: true));
        }
    }

    public async ValueTask<int> ReadAsync(ulong node, ulong handle, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        Record($"Read({node},{offset},{buffer.Length})");
        if (ReadGate is { } gate)
        {
            await gate.Task.WaitAsync(ct).ConfigureAwait(false);
        }

        lock (_lock)
        {
            CheckHandleLocked(node, handle);
            var content = _nodes[node].Content;
            if (offset >= content.Length)
            {
                return 0;
            }

            int n = (int)Math.Min(buffer.Length, content.Length - offset);
            content.AsSpan((int)offset, n).CopyTo(buffer.Span);
            return n;
        }
    }

    public ValueTask<int> WriteAsync(ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        Record($"Write({node},{offset},{data.Length})");
        lock (_lock)
        {
            ThrowIfReadOnly();
            CheckHandleLocked(node, handle);
            var n = _nodes[node];
            var content = n.Content;
            if (offset + data.Length > content.Length)
            {
                Array.Resize(ref content, (int)(offset + data.Length));
            }

            data.Span.CopyTo(content.AsSpan((int)offset));
            n.Content = content;
            return ValueTask.FromResult(data.Length);
        }
    }

    public ValueTask FlushAsync(ulong node, ulong handle, CancellationToken ct)
    {
        Record($"Flush({node})");
        return ValueTask.CompletedTask;
    }

    public ValueTask FsyncAsync(ulong node, ulong handle, CancellationToken ct)
    {
        Record($"Fsync({node})");
        return ValueTask.CompletedTask;
    }

    public ValueTask ReleaseAsync(ulong node, ulong handle)
    {
        Record($"Release({node})");
        lock (_lock)
        {
            _handles.Remove(handle);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<FsCreateResult> CreateAsync(ulong parent, string name, FsOpenFlags flags, CancellationToken ct)
    {
        Record($"Create({parent},{name})");
        lock (_lock)
        {
            ThrowIfReadOnly();
            var dir = DirectoryLocked(parent);
            if (dir.Children.TryGetValue(name, out ulong existing))
            {
                if (flags.HasFlag(FsOpenFlags.Exclusive))
                {
                    throw new FsException(FsError.Exists);
                }

                _nodes[existing].Content = [];
                _nodes[existing].Lookups++;
                ulong h = ++_nextHandle;
                _handles[h] = existing;
                return ValueTask.FromResult(new FsCreateResult(EntryLocked(_nodes[existing]), new FsOpenResult(h, false)));
            }

            var node = Link(parent, name, FsNodeKind.File);
            node.Lookups++;
            ulong handle = ++_nextHandle;
            _handles[handle] = node.Id;
            return ValueTask.FromResult(new FsCreateResult(EntryLocked(node), new FsOpenResult(handle, false)));
        }
    }

    public ValueTask<FsEntry> MkdirAsync(ulong parent, string name, CancellationToken ct)
    {
        Record($"Mkdir({parent},{name})");
        lock (_lock)
        {
            ThrowIfReadOnly();
            if (DirectoryLocked(parent).Children.ContainsKey(name))
            {
                throw new FsException(FsError.Exists);
            }

            var node = Link(parent, name, FsNodeKind.Directory);
            node.Lookups++;
            return ValueTask.FromResult(EntryLocked(node));
        }
    }

    public ValueTask UnlinkAsync(ulong parent, string name, CancellationToken ct)
    {
        Record($"Unlink({parent},{name})");
        lock (_lock)
        {
            ThrowIfReadOnly();
            var node = ChildLocked(parent, name);
            if (node.Kind == FsNodeKind.Directory)
            {
                throw new FsException(FsError.IsDirectory);
            }

            UnlinkLocked(node);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask RmdirAsync(ulong parent, string name, CancellationToken ct)
    {
        Record($"Rmdir({parent},{name})");
        lock (_lock)
        {
            ThrowIfReadOnly();
            var node = ChildLocked(parent, name);
            if (node.Kind != FsNodeKind.Directory)
            {
                throw new FsException(FsError.NotDirectory);
            }

            if (node.Children.Count > 0)
            {
                throw new FsException(FsError.NotEmpty);
            }

            UnlinkLocked(node);
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask RenameAsync(ulong parent, string name, ulong newParent, string newName, FsRenameFlags flags, CancellationToken ct)
    {
        Record($"Rename({parent},{name},{newParent},{newName},{flags})");
        lock (_lock)
        {
            ThrowIfReadOnly();
            if (flags.HasFlag(FsRenameFlags.Exchange))
            {
                throw new FsException(FsError.InvalidArgument);
            }

            var node = ChildLocked(parent, name);
            var target = DirectoryLocked(newParent);
            if (target.Children.TryGetValue(newName, out ulong existing))
            {
                if (flags.HasFlag(FsRenameFlags.NoReplace))
                {
                    throw new FsException(FsError.Exists);
                }

                UnlinkLocked(_nodes[existing]);
            }

            _nodes[parent].Children.Remove(name);
            node.Parent = newParent;
            node.Name = newName;
            target.Children[newName] = node.Id;
            return ValueTask.CompletedTask;
        }
    }

    public ValueTask<long> CopyFileRangeAsync(
        ulong nodeIn, ulong handleIn, long offsetIn, ulong nodeOut, ulong handleOut, long offsetOut, long length, CancellationToken ct)
    {
        Record($"CopyFileRange({nodeIn},{offsetIn},{nodeOut},{offsetOut},{length})");
        lock (_lock)
        {
            ThrowIfReadOnly();
            CheckHandleLocked(nodeIn, handleIn);
            CheckHandleLocked(nodeOut, handleOut);
            var source = _nodes[nodeIn].Content;
            var target = _nodes[nodeOut];
            var n = (int)Math.Clamp(source.Length - offsetIn, 0, length);
            if (n == 0)
            {
                return ValueTask.FromResult(0L);
            }

            var content = target.Content;
            if (offsetOut + n > content.Length)
            {
                Array.Resize(ref content, (int)(offsetOut + n));
            }

            source.AsSpan((int)offsetIn, n).CopyTo(content.AsSpan((int)offsetOut));
            target.Content = content;
            return ValueTask.FromResult((long)n);
        }
    }

    public ValueTask<FsStatFs> StatFsAsync(CancellationToken ct)
    {
        Record("StatFs");
        return ValueTask.FromResult(StatFs);
    }

    private void Record(string call) => _calls.Enqueue(call);

    private void ThrowIfReadOnly()
    {
        if (ReadOnly)
        {
            throw new FsException(FsError.ReadOnly);
        }
    }

    private Node Link(ulong parent, string name, FsNodeKind kind)
    {
        var dir = DirectoryLocked(parent);
        var node = new Node(++_nextNode, parent, name, kind, Time);
        _nodes[node.Id] = node;
        dir.Children[name] = node.Id;
        return node;
    }

    private void UnlinkLocked(Node node)
    {
        _nodes[node.Parent].Children.Remove(node.Name);
        node.Linked = false; // node ids stay valid until FORGET, as the kernel expects
    }

    private Node NodeLocked(ulong node) =>
        _nodes.TryGetValue(node, out var n) ? n : throw new FsException(FsError.NotFound, $"no node {node}");

    private Node DirectoryLocked(ulong node)
    {
        var n = NodeLocked(node);
        return n.Kind == FsNodeKind.Directory ? n : throw new FsException(FsError.NotDirectory);
    }

    private Node ChildLocked(ulong parent, string name) =>
        DirectoryLocked(parent).Children.TryGetValue(name, out ulong id) ? _nodes[id] : throw new FsException(FsError.NotFound);

    private void CheckHandleLocked(ulong node, ulong handle)
    {
        if (!_handles.TryGetValue(handle, out ulong owner) || owner != node)
        {
            throw new FsException(FsError.BadHandle);
        }
    }

    // Ino = 1000 + node id: distinct from node ids, so tests see that attr.ino is the facade's Ino.
    private static FsAttributes AttributesLocked(Node n) =>
        new(1000 + n.Id, n.Kind, n.Kind == FsNodeKind.File ? n.Content.Length : 0, n.Mtime, n.Mtime, ReadOnly: false);

    private static FsEntry EntryLocked(Node n) => new(n.Id, AttributesLocked(n));
}
