namespace DropboxFs.Fuse.Protocol;

/// <summary>
/// Where replies and notifications go: the /dev/fuse fd a request was read from (replies must go
/// back to that fd when clone fds are used), or a byte buffer in tests.
/// </summary>
internal interface IFuseChannel
{
    /// <summary>
    /// Writes one message made of up to three parts with a single writev. Returns 0, or the errno
    /// (ENOENT: the kernel no longer waits for this request; ENODEV: unmounted).
    /// </summary>
    int Write(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, ReadOnlySpan<byte> payload);

    /// <summary>
    /// FUSE_DEV_IOC_BACKING_OPEN (7.40): registers <paramref name="path"/>, opened read-only, as a
    /// passthrough backing file of this connection. Returns 0 and the id, or the errno (EPERM without
    /// CAP_SYS_ADMIN, ENOTTY/EINVAL on kernels or mounts without passthrough). Any fd of the connection works.
    /// </summary>
    int OpenBacking(string path, out int backingId)
    {
        backingId = 0;
        return Errno.ENOSYS;
    }

    /// <summary>FUSE_DEV_IOC_BACKING_CLOSE: forgets the id; files the kernel opened with it keep their reference.</summary>
    int CloseBacking(int backingId) => Errno.ENOSYS;
}

/// <summary>The decoded in_header of one request, plus the channel its reply goes to.</summary>
internal readonly record struct FuseRequest(
    FuseOpcode Opcode,
    ulong Unique,
    ulong NodeId,
    uint Uid,
    uint Gid,
    uint Pid,
    IFuseChannel Channel);
