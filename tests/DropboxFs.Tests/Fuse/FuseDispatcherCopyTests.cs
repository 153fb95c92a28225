using System.Text;
using DropboxFs.Fuse;
using DropboxFs.Fuse.Protocol;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Fuse;

/// <summary>COPY_FILE_RANGE (opcode 47): forwarded to the facade, answered with write_out.</summary>
public class FuseDispatcherCopyTests
{
    [Fact]
    public async Task CopyFileRangeIsForwardedAndAnswersTheBytesCopied()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong src = fs.AddFile(1, "a", Encoding.ASCII.GetBytes("0123456789"));
        ulong dst = fs.AddFile(1, "b", []);
        ulong fhIn = await FuseDispatcherIoTests.OpenAsync(h, src, 0);
        ulong fhOut = await FuseDispatcherIoTests.OpenAsync(h, dst, KernelConstants.OWrOnly);

        var reply = await h.CallAsync(FuseOpcode.CopyFileRange, src, DispatcherHarness.Struct(new CopyFileRangeIn
        {
            FhIn = fhIn,
            OffIn = 2,
            NodeidOut = dst,
            FhOut = fhOut,
            OffOut = 1,
            Len = 1L << 40,
        }));

        Assert.Equal(0, reply.Error);
        Assert.Equal(8u, reply.As<WriteOut>().Size);
        Assert.Equal("\023456789", Encoding.ASCII.GetString(fs.ContentOf(dst)));
        Assert.Contains($"CopyFileRange({src},2,{dst},1,{uint.MaxValue & ~4095u})", fs.Calls); // one reply's u32 caps the length
    }

    [Fact]
    public async Task CopyFileRangeWithFlagsOrOnAReadOnlyFileSystemIsRefused()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong src = fs.AddFile(1, "a", Encoding.ASCII.GetBytes("x"));
        ulong fh = await FuseDispatcherIoTests.OpenAsync(h, src, 0);

        var flagged = await h.CallAsync(FuseOpcode.CopyFileRange, src, DispatcherHarness.Struct(new CopyFileRangeIn
        {
            FhIn = fh,
            NodeidOut = src,
            FhOut = fh,
            Len = 1,
            Flags = 1,
        }));
        fs.ReadOnly = true;
        var readOnly = await h.CallAsync(FuseOpcode.CopyFileRange, src, DispatcherHarness.Struct(new CopyFileRangeIn
        {
            FhIn = fh,
            NodeidOut = src,
            FhOut = fh,
            Len = 1,
        }));

        Assert.Equal(-Errno.EINVAL, flagged.Error);
        Assert.Equal(-Errno.EROFS, readOnly.Error);
    }
}
