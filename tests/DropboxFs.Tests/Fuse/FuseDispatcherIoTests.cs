using System.Text;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse;
using DropboxFs.Fuse.Protocol;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Fuse;

public class FuseDispatcherIoTests
{
    internal static async Task<ulong> OpenAsync(DispatcherHarness h, ulong node, uint flags)
    {
        var reply = await h.CallAsync(FuseOpcode.Open, node, DispatcherHarness.Struct(new OpenIn { Flags = flags }));
        Assert.Equal(0, reply.Error);
        return reply.As<OpenOut>().Fh;
    }

    [Fact]
    public async Task OpenPassesKeepCacheAndReadReturnsTheRequestedRange()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong id = fs.AddFile(1, "f", Encoding.ASCII.GetBytes("0123456789"));
        var open = await h.CallAsync(FuseOpcode.Open, id, DispatcherHarness.Struct(new OpenIn { Flags = 0x8000 }));
        ulong fh = open.As<OpenOut>().Fh;

        var reply = await h.CallAsync(FuseOpcode.Read, id, DispatcherHarness.Struct(new ReadIn { Fh = fh, Offset = 3, Size = 4 }));
        var eof = await h.CallAsync(FuseOpcode.Read, id, DispatcherHarness.Struct(new ReadIn { Fh = fh, Offset = 8, Size = 4096 }));

        Assert.Equal((uint)FopenFlags.KeepCache, open.As<OpenOut>().OpenFlags);
        Assert.Equal("3456", Encoding.ASCII.GetString(reply.Body));
        Assert.Equal("89", Encoding.ASCII.GetString(eof.Body)); // short read at EOF, no padding
        Assert.Contains($"Open({id},Read)", fs.Calls);
    }

    [Fact]
    public async Task WriteDeliversThePayloadAndAnswersTheByteCount()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong id = fs.AddFile(1, "f", []);
        ulong fh = await OpenAsync(h, id, KernelConstants.ORdWr);

        var reply = await h.CallAsync(FuseOpcode.Write, id,
            DispatcherHarness.Struct(new WriteIn { Fh = fh, Offset = 2, Size = 5 }), Encoding.ASCII.GetBytes("hello"));

        Assert.Equal(0, reply.Error);
        Assert.Equal(5u, reply.As<WriteOut>().Size);
        Assert.Equal("\0\0hello", Encoding.ASCII.GetString(fs.ContentOf(id)));
    }

    [Fact]
    public async Task OpenFlagsMapAccessModeTruncateAndAppend()
    {
        Assert.Equal(FsOpenFlags.Read, FuseDispatcher.ToOpenFlags(0x8000));
        Assert.Equal(FsOpenFlags.Write | FsOpenFlags.Truncate, FuseDispatcher.ToOpenFlags(KernelConstants.OWrOnly | KernelConstants.OTrunc));
        Assert.Equal(FsOpenFlags.Read | FsOpenFlags.Write | FsOpenFlags.Append, FuseDispatcher.ToOpenFlags(KernelConstants.ORdWr | KernelConstants.OAppend));
        Assert.Equal(FsOpenFlags.Write | FsOpenFlags.Create | FsOpenFlags.Exclusive, FuseDispatcher.ToOpenFlags(KernelConstants.OWrOnly | KernelConstants.OCreat | KernelConstants.OExcl));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task CreateAnswersEntryAndOpenInOneBodyAndCountsOneLookup()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();

        var reply = await h.CallAsync(FuseOpcode.Create, 1,
            DispatcherHarness.Struct(new CreateIn { Flags = KernelConstants.OWrOnly | KernelConstants.OCreat, Mode = 0x81A4 }), DispatcherHarness.Name("new.txt"));

        Assert.Equal(0, reply.Error);
        Assert.Equal(DispatcherHarness.SizeOf<EntryOut>() + DispatcherHarness.SizeOf<OpenOut>(), reply.Body.Length);
        ulong id = reply.As<EntryOut>().Nodeid;
        Assert.Equal(fs.Find(1, "new.txt"), id);
        Assert.Equal(1ul, fs.LookupCount(id));
        Assert.Equal(1, fs.OpenHandleCount);
    }

    [Fact]
    public async Task InterruptCancelsTheFacadeCallAndTheRequestAnswersEintr()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong id = fs.AddFile(1, "slow", new byte[100]);
        ulong fh = await OpenAsync(h, id, 0);
        fs.ReadGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously); // the download never finishes

        ulong read = h.Send(FuseOpcode.Read, id, DispatcherHarness.Struct(new ReadIn { Fh = fh, Offset = 0, Size = 100 }));
        Assert.Equal(1, h.Dispatcher.InFlightCount);
        h.Send(FuseOpcode.Interrupt, 0, DispatcherHarness.Struct(new InterruptIn { Unique = read }));
        var reply = await h.Channel.NextAsync();

        Assert.Equal(read, reply.Header.Unique);
        Assert.Equal(-Errno.EINTR, reply.Error);
        Assert.False(h.Channel.HasMessage); // INTERRUPT itself is never answered
    }

    [Fact]
    public async Task AnInterruptThatOvertakesItsRequestStillCancelsIt()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong id = fs.AddFile(1, "slow", new byte[100]);
        ulong fh = await OpenAsync(h, id, 0);
        fs.ReadGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Another reader thread decoded the INTERRUPT before this READ was registered.
        ulong next = h.LastUnique + 2;
        h.Dispatcher.Dispatch(DispatcherHarness.Message(FuseOpcode.Interrupt, next + 1, 0, DispatcherHarness.Struct(new InterruptIn { Unique = next })), h.Channel);
        h.Send(FuseOpcode.Read, id, DispatcherHarness.Struct(new ReadIn { Fh = fh, Size = 100 }));
        var reply = await h.Channel.NextAsync();

        Assert.Equal(next, reply.Header.Unique);
        Assert.Equal(-Errno.EINTR, reply.Error);
    }

    [Fact]
    public async Task ASlowReadDoesNotBlockOtherRequests()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong id = fs.AddFile(1, "slow", new byte[10]);
        ulong fh = await OpenAsync(h, id, 0);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        fs.ReadGate = gate;

        ulong read = h.Send(FuseOpcode.Read, id, DispatcherHarness.Struct(new ReadIn { Fh = fh, Size = 10 }));
        var getattr = await h.CallAsync(FuseOpcode.Getattr, id, DispatcherHarness.Struct(new GetattrIn()));
        gate.SetResult();
        var readReply = await h.Channel.NextAsync();

        Assert.Equal(0, getattr.Error);
        Assert.Equal(read, readReply.Header.Unique);
        Assert.Equal(10, readReply.Body.Length);
    }

    [Fact]
    public async Task ReleaseClosesTheFacadeHandle()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong id = fs.AddFile(1, "f", []);
        ulong fh = await OpenAsync(h, id, 0);

        var reply = await h.CallAsync(FuseOpcode.Release, id, DispatcherHarness.Struct(new ReleaseIn { Fh = fh }));

        Assert.Equal(0, reply.Error);
        Assert.Equal(0, fs.OpenHandleCount);
    }
}
