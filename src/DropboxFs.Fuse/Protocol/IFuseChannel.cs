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
