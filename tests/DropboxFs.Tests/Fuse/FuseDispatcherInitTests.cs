using DropboxFs.Fuse;
using DropboxFs.Fuse.Protocol;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Fuse;

public class FuseDispatcherInitTests
{
    [Fact]
    public async Task InitNegotiatesOneMebibyteWritesReaddirplusAndParallelDirops()
    {
        var h = new DispatcherHarness(new MemoryFileSystem());
        var reply = await h.InitAsync(minor: 45, flags: 0xfffffffb);

        Assert.Equal(0, reply.Error);
        Assert.Equal(DispatcherHarness.SizeOf<InitOut>(), reply.Body.Length);
        var o = reply.As<InitOut>();
        Assert.Equal(7u, o.Major);
        Assert.Equal(KernelConstants.OurMinor, o.Minor);
        Assert.Equal(1u << 20, o.MaxWrite);
        Assert.Equal(256, o.MaxPages);
        Assert.True(o.MaxBackground >= 64);
        Assert.True(o.CongestionThreshold > 0 && o.CongestionThreshold < o.MaxBackground);
        Assert.Equal(131072u, o.MaxReadahead);
        var flags = (InitFlags)o.Flags;
        Assert.True(flags.HasFlag(InitFlags.AsyncRead | InitFlags.DoReaddirplus | InitFlags.ReaddirplusAuto | InitFlags.ParallelDirops
            | InitFlags.MaxPages | InitFlags.AutoInvalData | InitFlags.AtomicOTrunc));
        Assert.False(flags.HasFlag(InitFlags.ExportSupport));
        Assert.False(flags.HasFlag(InitFlags.WritebackCache));
        Assert.False(flags.HasFlag(InitFlags.PosixLocks));
        Assert.True(h.Dispatcher.Initialized.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task InitGrantsOnlyFlagsTheKernelOffers()
    {
        var h = new DispatcherHarness(new MemoryFileSystem());
        var reply = await h.InitAsync(flags: (uint)(InitFlags.AsyncRead | InitFlags.ExportSupport));

        var o = reply.As<InitOut>();
        Assert.Equal((uint)InitFlags.AsyncRead, o.Flags);
        Assert.Equal(0, o.MaxPages); // no FUSE_MAX_PAGES offered: the field means nothing to such a kernel
    }

    [Fact]
    public async Task InitFromAKernelOlderThan7_23GetsThe24ByteInitOut()
    {
        var h = new DispatcherHarness(new MemoryFileSystem());
        var reply = await h.InitAsync(minor: 22);

        Assert.Equal(0, reply.Error);
        Assert.Equal(KernelConstants.CompatInitOutSize, reply.Body.Length);
        Assert.Equal(22u, reply.As<InitOut>().Minor);
        Assert.Equal(22u, h.Dispatcher.ProtocolMinor);
    }

    [Fact]
    public async Task InitWithAFutureMajorAnswersOurMajorAndWaitsForASecondInit()
    {
        var h = new DispatcherHarness(new MemoryFileSystem());
        var init = new InitIn { Major = 8, Minor = 0 };
        var reply = await h.CallAsync(FuseOpcode.Init, 0, DispatcherHarness.Struct(init));

        Assert.Equal(0, reply.Error);
        Assert.Equal(7u, reply.As<InitOut>().Major);
        Assert.False(h.Dispatcher.Initialized.IsCompleted);
    }

    [Fact]
    public async Task InitFromAnAncientKernelIsRefusedWithEproto()
    {
        var h = new DispatcherHarness(new MemoryFileSystem());
        var reply = await h.InitAsync(minor: 8);

        Assert.Equal(-Errno.EPROTO, reply.Error);
        Assert.False(h.Dispatcher.Initialized.IsCompleted);
    }

    [Fact]
    public async Task RequestsBeforeInitAreRefused()
    {
        var fs = new MemoryFileSystem();
        var h = new DispatcherHarness(fs);
        var reply = await h.CallAsync(FuseOpcode.Getattr, 1, DispatcherHarness.Struct(new GetattrIn()));

        Assert.Equal(-Errno.EIO, reply.Error);
        Assert.Empty(fs.Calls);
    }
}
