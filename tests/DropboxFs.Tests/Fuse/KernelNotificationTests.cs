using System.Text;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Fuse;

/// <summary>
/// The notifier against a real kernel: with 60 s timeouts the kernel would keep stale answers for a
/// minute, so seeing the change at once proves inval_entry / inval_inode reached it.
/// </summary>
public sealed class KernelNotificationTests : IDisposable
{
    private readonly MountScratch _scratch = new("fuse-notify-");

    private string Mnt => _scratch.MountPoint;

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task InvalEntryAndInvalInodeReachTheKernelCaches()
    {
        var fs = new MemoryFileSystem();
        ulong file = fs.AddFile(IFileSystem.RootNodeId, "doc.txt", Encoding.ASCII.GetBytes("version 1"));
        var options = new FuseMountOptions
        {
            MountPoint = Mnt,
            EntryTimeout = TimeSpan.FromSeconds(60),
            AttrTimeout = TimeSpan.FromSeconds(60),
            NegativeTimeout = TimeSpan.FromSeconds(60),
        };
        await using var mount = new FuseMount(fs, options);
        var run = mount.RunAsync(CancellationToken.None);
        try
        {
            await mount.Ready.WaitAsync(TimeSpan.FromSeconds(30));
            string late = Path.Combine(Mnt, "late.txt");
            string doc = Path.Combine(Mnt, "doc.txt");

            Assert.False(File.Exists(late)); // now cached as a negative entry for 60 s
            Assert.Equal("version 1", await File.ReadAllTextAsync(doc)); // pages cached (KEEP_CACHE)

            fs.AddFile(IFileSystem.RootNodeId, "late.txt", [1, 2, 3]);
            await fs.SetAttrAsync(file, new FsSetAttr(0, null, null), CancellationToken.None);
            var handle = await fs.OpenAsync(file, FsOpenFlags.Write, CancellationToken.None);
            await fs.WriteAsync(file, handle.Handle, 0, Encoding.ASCII.GetBytes("version 2"), CancellationToken.None);
            await fs.ReleaseAsync(file, handle.Handle);
            Assert.False(File.Exists(late)); // still the cached negative answer: the test can fail
            Assert.Equal("version 1", await File.ReadAllTextAsync(doc));

            mount.Notifier.InvalidateEntry(IFileSystem.RootNodeId, "late.txt");
            mount.Notifier.InvalidateInode(file);
            await WaitUntilAsync(() => File.Exists(late) && File.ReadAllText(doc) == "version 2");
        }
        finally
        {
            mount.Unmount();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        // The notifier thread writes asynchronously; 10 s is far beyond its latency and far below 60 s.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(20, deadline.Token);
        }
    }
}
