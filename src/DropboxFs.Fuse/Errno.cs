using DropboxFs.Core.FileSystem;

namespace DropboxFs.Fuse;

/// <summary>Linux errno values the adapter sends, and the one FsError → errno table.</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int EACCES = 13;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int ENOTDIR = 20;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int ENAMETOOLONG = 36;
    public const int ENOSYS = 38;
    public const int ENOTEMPTY = 39;
    public const int ENODATA = 61;
    public const int EPROTO = 71;
    public const int EOPNOTSUPP = 95;
    public const int ETIMEDOUT = 110;
    public const int ENOTCONN = 107;

    /// <summary>
    /// The exhaustive FsError → errno table. NotSupported is EOPNOTSUPP, never ENOSYS: the kernel
    /// remembers ENOSYS per connection for many opcodes and would stop sending them for good.
    /// </summary>
    public static int From(FsError error) => error switch
    {
        FsError.NotFound => ENOENT,
        FsError.Exists => EEXIST,
        FsError.NotEmpty => ENOTEMPTY,
        FsError.NotDirectory => ENOTDIR,
        FsError.IsDirectory => EISDIR,
        FsError.ReadOnly => EROFS,
        FsError.NoSpace => ENOSPC,
        FsError.NameTooLong => ENAMETOOLONG,
        FsError.InvalidName => EINVAL,
        FsError.InvalidArgument => EINVAL,
        FsError.BadHandle => EBADF,
        FsError.Interrupted => EINTR,
        FsError.NotSupported => EOPNOTSUPP,
        FsError.AccessDenied => EACCES,
        FsError.Busy => EBUSY,
        FsError.TimedOut => ETIMEDOUT,
        FsError.IoError => EIO,
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, "FsError value missing from the errno table"),
    };
}
