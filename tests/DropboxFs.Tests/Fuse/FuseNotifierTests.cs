using System.Runtime.InteropServices;
using System.Text;
using DropboxFs.Fuse;
using DropboxFs.Fuse.Protocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Tests.Fuse;

public class FuseNotifierTests
{
    [Fact]
    public async Task InvalEntryIsAUniqueZeroNotifyMessageWithTheNulTerminatedName()
    {
        var channel = new CapturingChannel();
        FuseNotifier.WriteInvalEntry(channel, 7, "Ünïcode.txt");
        var msg = await channel.NextAsync();

        byte[] name = Encoding.UTF8.GetBytes("Ünïcode.txt");
        Assert.Equal(0ul, msg.Header.Unique);
        Assert.Equal(KernelConstants.NotifyInvalEntry, msg.Header.Error);
        Assert.Equal((uint)msg.Bytes.Length, msg.Header.Len);
        var body = msg.As<NotifyInvalEntryOut>();
        Assert.Equal(7ul, body.Parent);
        Assert.Equal((uint)name.Length, body.Namelen);
        Assert.Equal([.. name, 0], msg.Body[DispatcherHarness.SizeOf<NotifyInvalEntryOut>()..].ToArray());
    }

    [Fact]
    public async Task InvalInodeCarriesTheRange()
    {
        var channel = new CapturingChannel();
        FuseNotifier.WriteInvalInode(channel, 9, 0, -1);
        var msg = await channel.NextAsync();

        Assert.Equal(KernelConstants.NotifyInvalInode, msg.Header.Error);
        Assert.Equal(16 + 24, msg.Bytes.Length);
        var body = MemoryMarshal.Read<NotifyInvalInodeOut>(msg.Body);
        Assert.Equal((9ul, 0L, -1L), (body.Ino, body.Off, body.Len));
    }

    [Fact]
    public async Task NotificationsQueuedBeforeInitAreWrittenAfterItByTheNotifierThread()
    {
        var channel = new RecordingThreadChannel();
        using var notifier = new FuseNotifier(NullLogger.Instance);
        var init = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        notifier.Start(channel, init.Task);

        notifier.InvalidateEntry(1, "a");
        notifier.InvalidateInode(5);
        await Task.Delay(50); // nothing may be written before INIT; give a wrong implementation time to do so
        Assert.Empty(channel.Threads);
        init.SetResult();
        notifier.Stop();

        Assert.Equal(2, channel.Threads.Count);
        Assert.All(channel.Threads, t => Assert.Equal("fuse-notify", t));
        Assert.Equal(2, notifier.Sent);
    }

    private sealed class RecordingThreadChannel : IFuseChannel
    {
        public List<string?> Threads { get; } = [];

        public int Write(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, ReadOnlySpan<byte> payload)
        {
            lock (Threads)
            {
                Threads.Add(Thread.CurrentThread.Name);
            }

            return 0;
        }
    }
}
