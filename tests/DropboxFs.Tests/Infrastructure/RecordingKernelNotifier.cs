using System.Collections.Concurrent;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Infrastructure;

/// <summary>An IKernelNotifier that records every call, for facade and sync tests without a mount.</summary>
public sealed class RecordingKernelNotifier : IKernelNotifier
{
    private readonly ConcurrentQueue<KernelNotification> _calls = new();

    public IReadOnlyList<KernelNotification> Calls => _calls.ToArray();

    public IEnumerable<(ulong Parent, string Name)> InvalidatedEntries =>
        _calls.Where(c => c.Name is not null).Select(c => (c.Node, c.Name!));

    public IEnumerable<ulong> InvalidatedInodes => _calls.Where(c => c.Name is null).Select(c => c.Node);

    public void InvalidateEntry(ulong parent, string name) => _calls.Enqueue(new KernelNotification(parent, name, 0, 0));

    public void InvalidateInode(ulong node, long offset = 0, long length = -1) => _calls.Enqueue(new KernelNotification(node, null, offset, length));

    public void Clear() => _calls.Clear();
}

/// <summary>One recorded call: an entry (Name set) or an inode (Name null, with the data range).</summary>
public readonly record struct KernelNotification(ulong Node, string? Name, long Offset, long Length);
