using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse;
using DropboxFs.Fuse.Protocol;
using DropboxFs.Tests.Core;

namespace DropboxFs.Tests.Fuse;

/// <summary>
/// FUSE passthrough in the dispatcher, over the real facade and emulator: INIT negotiation, and the
/// kernel's one-mode-per-inode rule (all opens pass through the same backing file, or none does).
/// The backing-file ioctls are recorded by <see cref="CapturingChannel"/>.
/// </summary>
public sealed class FuseDispatcherPassthroughTests : IAsyncLifetime
{
    private const uint ORdOnly = 0x8000; // O_RDONLY | O_LARGEFILE, as the kernel sends it
    private readonly byte[] _content = new byte[300_000];
    private CoreMount _mount = null!;
    private DispatcherHarness _h = null!;

    public async Task InitializeAsync()
    {
        new Random(4).NextBytes(_content);
        _mount = await CoreMount.StartAsync();
        await _mount.PutAsync("/f.bin", _content);
        await _mount.SyncAsync();
        _h = new DispatcherHarness(_mount.Fs, passthrough: true);
        _h.Channel.BackingErrno = 0;
    }

    public async Task DisposeAsync() => await _mount.DisposeAsync();

    private Task<Reply> InitWithPassthroughOfferAsync() =>
        _h.InitAsync(minor: 45, flags: 0xfffffffb, flags2: (uint)InitFlags2.Passthrough);

    private async Task<ulong> LookupAsync(string name)
    {
        var reply = await _h.CallAsync(FuseOpcode.Lookup, IFileSystem.RootNodeId, DispatcherHarness.Name(name));
        Assert.Equal(0, reply.Error);
        return reply.As<EntryOut>().Nodeid;
    }

    private async Task<OpenOut> OpenAsync(ulong node)
    {
        var reply = await _h.CallAsync(FuseOpcode.Open, node, DispatcherHarness.Struct(new OpenIn { Flags = ORdOnly }));
        Assert.Equal(0, reply.Error);
        return reply.As<OpenOut>();
    }

    private async Task ReleaseAsync(ulong node, ulong fh) =>
        Assert.Equal(0, (await _h.CallAsync(FuseOpcode.Release, node, DispatcherHarness.Struct(new ReleaseIn { Fh = fh }))).Error);

    /// <summary>Reads the whole file through READ requests (fills the block cache) and releases the handle.</summary>
    private async Task ReadThroughAsync(ulong node)
    {
        var open = await OpenAsync(node);
        var read = await _h.CallAsync(FuseOpcode.Read, node, DispatcherHarness.Struct(new ReadIn { Fh = open.Fh, Offset = 0, Size = 1 << 20 }));
        Assert.Equal(_content, read.Body.ToArray());
        await ReleaseAsync(node, open.Fh);
    }

    [Fact]
    public async Task InitGrantsPassthroughAt7_40WithStackDepthOneWhenWantedAndOffered()
    {
        var o = (await InitWithPassthroughOfferAsync()).As<InitOut>();

        Assert.Equal(KernelConstants.PassthroughMinor, o.Minor);
        Assert.Equal((uint)InitFlags2.Passthrough, o.Flags2);
        Assert.True(((InitFlags)o.Flags).HasFlag(InitFlags.InitExt)); // else the kernel ignores flags2
        Assert.False(((InitFlags)o.Flags).HasFlag(InitFlags.WritebackCache)); // the kernel refuses passthrough with it
        Assert.Equal(1u, o.MaxStackDepth);
        Assert.True(_h.Dispatcher.PassthroughActive);
    }

    [Fact]
    public async Task WithoutTheKernelsOfferOrOurWishTheMountStaysOn7_31()
    {
        var notOffered = (await _h.InitAsync()).As<InitOut>();
        var h2 = new DispatcherHarness(_mount.Fs, passthrough: false);
        var notWanted = (await h2.InitAsync(flags2: (uint)InitFlags2.Passthrough)).As<InitOut>();

        Assert.Equal(KernelConstants.OurMinor, notOffered.Minor);
        Assert.Equal(0u, notOffered.Flags2);
        Assert.Equal(KernelConstants.OurMinor, notWanted.Minor);
        Assert.Equal(0u, notWanted.Flags2);
        Assert.False(_h.Dispatcher.PassthroughActive);
    }

    [Fact]
    public async Task OpensOfAFullyCachedFileShareOneBackingFileClosedAfterTheLastRelease()
    {
        await InitWithPassthroughOfferAsync();
        ulong node = await LookupAsync("f.bin");
        var cold = await OpenAsync(node); // nothing cached yet: served through READ
        Assert.Equal(0u, cold.OpenFlags & (uint)FopenFlags.Passthrough);
        await ReleaseAsync(node, cold.Fh);
        await ReadThroughAsync(node);

        var first = await OpenAsync(node);
        var second = await OpenAsync(node);

        Assert.Equal((uint)FopenFlags.Passthrough, first.OpenFlags); // and no KEEP_CACHE: the kernel refuses the mix
        Assert.Equal(1, first.BackingId);
        Assert.Equal(first.BackingId, second.BackingId);
        var path = Assert.Single(_h.Channel.BackingOpened);
        Assert.Equal(_content, await File.ReadAllBytesAsync(path));
        await ReleaseAsync(node, first.Fh);
        Assert.Empty(_h.Channel.BackingClosed);
        await ReleaseAsync(node, second.Fh);
        Assert.Equal([1], _h.Channel.BackingClosed);
    }

    [Fact]
    public async Task AnOpenWhileTheFileIsOpenWithoutPassthroughStaysCached()
    {
        await InitWithPassthroughOfferAsync();
        ulong node = await LookupAsync("f.bin");
        var cached = await OpenAsync(node);
        await ReadThroughAsync(node); // complete now, but `cached` still has the inode in cached mode

        var second = await OpenAsync(node);

        Assert.Equal(0u, second.OpenFlags & (uint)FopenFlags.Passthrough);
        Assert.Empty(_h.Channel.BackingOpened);
        await ReleaseAsync(node, cached.Fh);
        await ReleaseAsync(node, second.Fh);
        Assert.Equal((uint)FopenFlags.Passthrough, (await OpenAsync(node)).OpenFlags);
    }

    [Fact]
    public async Task AFailedBackingRegistrationFallsBackToReadsThroughTheFacade()
    {
        _h.Channel.BackingErrno = Errno.EPERM; // not CAP_SYS_ADMIN
        await InitWithPassthroughOfferAsync();
        ulong node = await LookupAsync("f.bin");
        await ReadThroughAsync(node);

        var open = await OpenAsync(node);
        var read = await _h.CallAsync(FuseOpcode.Read, node, DispatcherHarness.Struct(new ReadIn { Fh = open.Fh, Offset = 10, Size = 20 }));

        Assert.Equal(0u, open.OpenFlags & (uint)FopenFlags.Passthrough);
        Assert.Equal(_content.AsSpan(10, 20).ToArray(), read.Body.ToArray());
        Assert.False(_h.Dispatcher.PassthroughActive);
    }

    [Fact]
    public async Task ANewRemoteVersionCannotOpenWhileTheOldOnePassesThroughAndOpensOnceItCloses()
    {
        await InitWithPassthroughOfferAsync();
        ulong node = await LookupAsync("f.bin");
        await ReadThroughAsync(node);
        var old = await OpenAsync(node);
        Assert.Equal((uint)FopenFlags.Passthrough, old.OpenFlags);
        await _mount.PutAsync("/f.bin", "new content");
        await _mount.SyncAsync();

        // The new version is not cached: it needs cached I/O, which the kernel forbids while `old` passes through.
        var refused = await _h.CallAsync(FuseOpcode.Open, node, DispatcherHarness.Struct(new OpenIn { Flags = ORdOnly }));
        ulong waiting = _h.Send(FuseOpcode.Open, node, DispatcherHarness.Struct(new OpenIn { Flags = ORdOnly }));
        _h.Send(FuseOpcode.Release, node, DispatcherHarness.Struct(new ReleaseIn { Fh = old.Fh })); // as close(2) sends it, late
        Reply[] replies = [await _h.Channel.NextAsync(), await _h.Channel.NextAsync()];
        var admitted = replies.Single(r => r.Header.Unique == waiting);

        Assert.Equal(-Errno.EBUSY, refused.Error);
        Assert.Equal(waiting, admitted.Header.Unique);
        Assert.Equal(0, admitted.Error);
        Assert.Equal(0u, admitted.As<OpenOut>().OpenFlags & (uint)FopenFlags.Passthrough);
        var read = await _h.CallAsync(FuseOpcode.Read, node, DispatcherHarness.Struct(new ReadIn { Fh = admitted.As<OpenOut>().Fh, Size = 100 }));
        Assert.Equal("new content", System.Text.Encoding.UTF8.GetString(read.Body));
    }

    [Fact]
    public async Task AWriteOpenWhileTheFilePassesThroughIsRefusedBeforeTheFacadeTruncatesIt()
    {
        await InitWithPassthroughOfferAsync();
        ulong node = await LookupAsync("f.bin");
        await ReadThroughAsync(node);
        var reader = await OpenAsync(node);
        Assert.Equal((uint)FopenFlags.Passthrough, reader.OpenFlags);
        var truncating = DispatcherHarness.Struct(new OpenIn { Flags = KernelConstants.OWrOnly | KernelConstants.OTrunc });

        var refused = await _h.CallAsync(FuseOpcode.Open, node, truncating);

        Assert.Equal(-Errno.EBUSY, refused.Error);
        Assert.Equal(_content.Length, (await _mount.Fs.GetAttrAsync(node, CancellationToken.None)).Size); // not truncated
        await ReleaseAsync(node, reader.Fh);
        var writer = await _h.CallAsync(FuseOpcode.Open, node, truncating);
        Assert.Equal(0, writer.Error);
        Assert.Equal(0u, writer.As<OpenOut>().OpenFlags & (uint)FopenFlags.Passthrough);
        Assert.Equal(0, (await _mount.Fs.GetAttrAsync(node, CancellationToken.None)).Size);
        Assert.Equal(0u, (await OpenAsync(node)).OpenFlags & (uint)FopenFlags.Passthrough); // the writer keeps the node cached
    }
}
