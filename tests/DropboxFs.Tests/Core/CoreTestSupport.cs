using System.Collections.Concurrent;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Core;

/// <summary>A per-test folder under the system temp directory, deleted afterwards.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dropboxfs-core-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow teardown; the temp directory is cleaned by the OS eventually.
        }
    }
}

/// <summary>Records every kernel notification, in order (the Core tests' recording notifier).</summary>
internal sealed class CoreRecordingNotifier : IKernelNotifier
{
    private readonly ConcurrentQueue<string> _events = new();

    public void InvalidateEntry(ulong parent, string name) => _events.Enqueue($"entry {parent} {name}");

    public void InvalidateInode(ulong node, long offset = 0, long length = -1) => _events.Enqueue($"inode {node}");

    public IReadOnlyList<string> Events => _events.ToArray();

    public IReadOnlyList<string> Take()
    {
        var list = new List<string>();
        while (_events.TryDequeue(out var e))
        {
            list.Add(e);
        }

        return list;
    }
}
