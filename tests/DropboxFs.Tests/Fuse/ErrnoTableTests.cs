using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse;

namespace DropboxFs.Tests.Fuse;

public class ErrnoTableTests
{
    [Fact]
    public void EveryFsErrorMapsToARealErrnoThatIsNeverEnosys()
    {
        foreach (var error in Enum.GetValues<FsError>())
        {
            int errno = Errno.From(error);
            Assert.InRange(errno, 1, 133); // a real Linux errno: the kernel rejects values outside (-1000, 0]
            Assert.NotEqual(Errno.ENOSYS, errno); // ENOSYS is sticky per connection for many opcodes
            if (error != FsError.IoError)
            {
                Assert.NotEqual(Errno.EIO, errno); // EIO is reserved for real I/O failures and bugs
            }
        }
    }

    [Theory]
    [InlineData(FsError.NotFound, Errno.ENOENT)]
    [InlineData(FsError.ReadOnly, Errno.EROFS)]
    [InlineData(FsError.NotEmpty, Errno.ENOTEMPTY)]
    [InlineData(FsError.Interrupted, Errno.EINTR)]
    [InlineData(FsError.NoSpace, Errno.ENOSPC)]
    [InlineData(FsError.NotSupported, Errno.EOPNOTSUPP)]
    public void KeyErrorsMapToTheirPosixMeaning(FsError error, int errno) => Assert.Equal(errno, Errno.From(error));
}
