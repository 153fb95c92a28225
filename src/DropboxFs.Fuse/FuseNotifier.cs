using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse.Protocol;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Fuse;

/// <summary>
/// IKernelNotifier over /dev/fuse. Calls only enqueue; one dedicated thread writes the unique=0
/// notify messages. Rule (fuse_lowlevel.h): inval_entry must never be written from inside a related
/// request, because the kernel holds the parent's lock during LOOKUP/CREATE/… and the write would
/// wait for it forever. A separate thread that holds no lock makes that impossible by construction.
/// </summary>
internal sealed class FuseNotifier : IKernelNotifier, IDisposable
{
    /// <summary>64 Ki queued notifications (~3 MiB): a big remote delta page fits; beyond it we drop
    /// and count, and the kernel entries then expire by their timeout (10 s by default).</summary>
    public const int Capacity = 65536;

    private readonly Channel<Notification> _queue = Channel.CreateBounded<Notification>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly SemaphoreSlim _signal = new(0);
    private readonly ILogger _logger;
    private Thread? _thread;
    private long _dropped;
    private long _sent;
    private bool _stopping;

    public FuseNotifier(ILogger logger)
    {
        _logger = logger;
    }

    internal readonly record struct Notification(ulong Node, string? Name, long Offset, long Length);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Sent => Interlocked.Read(ref _sent);

    public void InvalidateEntry(ulong parent, string name) => Enqueue(new Notification(parent, name, 0, 0));

    public void InvalidateInode(ulong node, long offset = 0, long length = -1) => Enqueue(new Notification(node, null, offset, length));

    /// <summary>Starts the writer thread once the kernel has answered INIT (notifications before that are queued).</summary>
    public void Start(IFuseChannel channel, Task initialized)
    {
        _thread = new Thread(() => Drain(channel, initialized)) { IsBackground = true, Name = "fuse-notify" };
        _thread.Start();
    }

    /// <summary>Stops accepting notifications and waits for the writer thread to finish.</summary>
    public void Stop()
    {
        Volatile.Write(ref _stopping, true);
        _queue.Writer.TryComplete();
        _signal.Release();
        _thread?.Join();
    }

    public void Dispose() => _signal.Dispose();

    private void Enqueue(Notification n)
    {
        if (_queue.Writer.TryWrite(n))
        {
            _signal.Release();
        }
        else if (Interlocked.Increment(ref _dropped) % 1000 == 1)
        {
            _logger.LogWarning("Kernel notification queue full ({Capacity}); {Dropped} dropped so far, entries expire by timeout", Capacity, Dropped);
        }
    }

    private void Drain(IFuseChannel channel, Task initialized)
    {
        // Blocking waits are right here: this thread exists only to block on the queue and on writev.
        initialized.ContinueWith(_ => _signal.Release(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        while (true)
        {
            _signal.Wait(Timeout.Infinite); // a semaphore on this dedicated thread, not a Task
            if (initialized.IsCompletedSuccessfully && !DrainQueued(channel))
            {
                return; // unmounted
            }

            if (Volatile.Read(ref _stopping))
            {
                return;
            }
        }
    }

    private bool DrainQueued(IFuseChannel channel)
    {
        while (_queue.Reader.TryRead(out var n))
        {
            int rc = Write(channel, n);
            if (rc == Errno.ENODEV || rc == Errno.EBADF)
            {
                return false;
            }

            // ENOENT only means the kernel had nothing cached under that name or inode.
            if (rc == 0)
            {
                Interlocked.Increment(ref _sent);
            }
        }

        return true;
    }

    internal static int Write(IFuseChannel channel, Notification n) =>
        n.Name is null ? WriteInvalInode(channel, n.Node, n.Offset, n.Length) : WriteInvalEntry(channel, n.Node, n.Name);

    internal static int WriteInvalInode(IFuseChannel channel, ulong node, long offset, long length)
    {
        var body = new NotifyInvalInodeOut { Ino = node, Off = offset, Len = length };
        Span<byte> header = stackalloc byte[FuseWire.OutHeaderSize];
        FuseWire.WriteOutHeader(header, 0, KernelConstants.NotifyInvalInode, FuseWire.OutHeaderSize + Unsafe.SizeOf<NotifyInvalInodeOut>());
        return channel.Write(header, FuseWire.Bytes(in body), default);
    }

    internal static int WriteInvalEntry(IFuseChannel channel, ulong parent, string name)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(name) + 1]; // name + NUL
        Encoding.UTF8.GetBytes(name, bytes);
        var body = new NotifyInvalEntryOut { Parent = parent, Namelen = (uint)(bytes.Length - 1) };
        Span<byte> header = stackalloc byte[FuseWire.OutHeaderSize];
        FuseWire.WriteOutHeader(header, 0, KernelConstants.NotifyInvalEntry, FuseWire.OutHeaderSize + Unsafe.SizeOf<NotifyInvalEntryOut>() + bytes.Length);
        return channel.Write(header, FuseWire.Bytes(in body), bytes);
    }
}
