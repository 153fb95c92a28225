using System.Text;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse;
using DropboxFs.Fuse.Protocol;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Fuse;

public class FuseDispatcherNodeTests
{
    [Fact]
    public async Task LookupAnswersTheEntryWithAttributesAndTakesOneLookupReference()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong id = fs.AddFile(IFileSystem.RootNodeId, "report.pdf", new byte[1025]);

        var reply = await h.CallAsync(FuseOpcode.Lookup, IFileSystem.RootNodeId, DispatcherHarness.Name("report.pdf"));

        Assert.Equal(0, reply.Error);
        var e = reply.As<EntryOut>();
        Assert.Equal(id, e.Nodeid);
        Assert.Equal(10ul, e.EntryValid);
        Assert.Equal(10ul, e.AttrValid);
        Assert.Equal(1000 + id, e.Attr.Ino);
        Assert.Equal(1025ul, e.Attr.Size);
        Assert.Equal(3ul, e.Attr.Blocks); // ceil(1025 / 512)
        Assert.Equal(1u << 20, e.Attr.Blksize);
        Assert.Equal(0x8000u | 0x1A4u, e.Attr.Mode);
        Assert.Equal(1234u, e.Attr.Uid);
        Assert.Equal(5678u, e.Attr.Gid);
        Assert.Equal((ulong)fs.Time.ToUnixTimeSeconds(), e.Attr.Mtime);
        Assert.Equal(1ul, fs.LookupCount(id));
        Assert.Contains($"Lookup(1,report.pdf)", fs.Calls);
    }

    [Fact]
    public async Task LookupOfAMissingNameAnswersACachedNegativeEntry()
    {
        var (h, _) = await DispatcherHarness.StartAsync();

        var reply = await h.CallAsync(FuseOpcode.Lookup, IFileSystem.RootNodeId, DispatcherHarness.Name("nope"));

        Assert.Equal(0, reply.Error);
        var e = reply.As<EntryOut>();
        Assert.Equal(0ul, e.Nodeid);
        Assert.Equal(1ul, e.EntryValid);
    }

    [Fact]
    public async Task LookupOfAMissingNameWithoutNegativeCachingAnswersEnoent()
    {
        var (h, _) = await DispatcherHarness.StartAsync(TimeSpan.Zero);

        var reply = await h.CallAsync(FuseOpcode.Lookup, IFileSystem.RootNodeId, DispatcherHarness.Name("nope"));

        Assert.Equal(-Errno.ENOENT, reply.Error);
        Assert.Empty(reply.Body.ToArray());
    }

    [Fact]
    public async Task LookupWithANameThatIsNotUtf8AnswersEinvalWithoutCallingTheFacade()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();

        var reply = await h.CallAsync(FuseOpcode.Lookup, IFileSystem.RootNodeId, [0xff, 0xfe, 0]);

        Assert.Equal(-Errno.EINVAL, reply.Error);
        Assert.DoesNotContain(fs.Calls, c => c.StartsWith("Lookup", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetattrOfTheRootAnswersADirectory()
    {
        var (h, _) = await DispatcherHarness.StartAsync();

        var reply = await h.CallAsync(FuseOpcode.Getattr, IFileSystem.RootNodeId, DispatcherHarness.Struct(new GetattrIn()));

        var a = reply.As<AttrOut>();
        Assert.Equal(0, reply.Error);
        Assert.Equal(0x4000u | 0x1EDu, a.Attr.Mode);
        Assert.Equal(2u, a.Attr.Nlink);
        Assert.Equal(10ul, a.AttrValid);
    }

    [Fact]
    public async Task GetattrOfAnUnknownNodeMapsNotFoundToEnoent()
    {
        var (h, _) = await DispatcherHarness.StartAsync();

        var reply = await h.CallAsync(FuseOpcode.Getattr, 999, DispatcherHarness.Struct(new GetattrIn()));

        Assert.Equal(-Errno.ENOENT, reply.Error);
    }

    [Fact]
    public async Task ForgetAndBatchForgetReleaseLookupReferencesAndAreNeverAnswered()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong a = fs.AddFile(1, "a", []);
        ulong b = fs.AddFile(1, "b", []);
        for (int i = 0; i < 3; i++)
        {
            await h.CallAsync(FuseOpcode.Lookup, 1, DispatcherHarness.Name("a"));
            await h.CallAsync(FuseOpcode.Lookup, 1, DispatcherHarness.Name("b"));
        }

        h.Send(FuseOpcode.Forget, a, DispatcherHarness.Struct(new ForgetIn { Nlookup = 2 }));
        h.Send(FuseOpcode.BatchForget, 0,
            DispatcherHarness.Struct(new BatchForgetIn { Count = 2 }),
            DispatcherHarness.Struct(new ForgetOne { Nodeid = a, Nlookup = 1 }),
            DispatcherHarness.Struct(new ForgetOne { Nodeid = b, Nlookup = 2 }));

        Assert.Equal(0ul, fs.LookupCount(a));
        Assert.Equal(1ul, fs.LookupCount(b));
        Assert.False(h.Channel.HasMessage);
    }

    [Fact]
    public async Task SetattrWithSizeTruncatesAndChmodIsANoOpThatSucceeds()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong id = fs.AddFile(1, "f", Encoding.ASCII.GetBytes("hello world"));

        var truncate = await h.CallAsync(FuseOpcode.Setattr, id, DispatcherHarness.Struct(new SetattrIn { Valid = (uint)FattrFlags.Size, Size = 5 }));
        var chmod = await h.CallAsync(FuseOpcode.Setattr, id, DispatcherHarness.Struct(new SetattrIn { Valid = (uint)FattrFlags.Mode, Mode = 0x1FF }));

        Assert.Equal(0, truncate.Error);
        Assert.Equal(5ul, truncate.As<AttrOut>().Attr.Size);
        Assert.Equal("hello", Encoding.ASCII.GetString(fs.ContentOf(id)));
        Assert.Equal(0, chmod.Error);
        Assert.Equal(0x8000u | 0x1A4u, chmod.As<AttrOut>().Attr.Mode);
        Assert.Single(fs.Calls, c => c.StartsWith("SetAttr", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StatfsReportsQuotaIn4KiBBlocks()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        fs.StatFs = new FsStatFs(8L << 30, 3L << 30, 100, 50, 255);

        var reply = await h.CallAsync(FuseOpcode.Statfs, 1);

        var st = reply.As<StatfsOut>().St;
        Assert.Equal(4096u, st.Bsize);
        Assert.Equal(4096u, st.Frsize);
        Assert.Equal((ulong)(8L << 30) / 4096, st.Blocks);
        Assert.Equal((ulong)(3L << 30) / 4096, st.Bavail);
        Assert.Equal(255u, st.Namelen);
    }

    [Theory]
    [InlineData(22u)] // GETXATTR
    [InlineData(23u)] // LISTXATTR
    [InlineData(43u)] // FALLOCATE
    [InlineData(46u)] // LSEEK
    [InlineData(39u)] // IOCTL
    [InlineData(40u)] // POLL
    [InlineData(999u)]
    public async Task UnsupportedOpcodesAnswerEnosysSoTheKernelStopsAsking(uint opcode)
    {
        var (h, _) = await DispatcherHarness.StartAsync();

        var reply = await h.CallAsync((FuseOpcode)opcode, 1, new byte[64]);

        Assert.Equal(-Errno.ENOSYS, reply.Error);
    }

    [Fact]
    public async Task ReadOnlyFacadeErrorsReachTheKernelAsErofs()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        fs.ReadOnly = true;

        var reply = await h.CallAsync(FuseOpcode.Mkdir, 1, DispatcherHarness.Struct(new MkdirIn { Mode = 0x1ED }), DispatcherHarness.Name("new"));

        Assert.Equal(-Errno.EROFS, reply.Error);
    }
}
