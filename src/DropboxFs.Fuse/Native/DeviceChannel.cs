using DropboxFs.Fuse.Protocol;

namespace DropboxFs.Fuse.Native;

/// <summary>Writes messages to one /dev/fuse fd (the master or a clone), one writev per message.</summary>
internal sealed unsafe class DeviceChannel(int fd) : IFuseChannel
{
    public int Fd { get; } = fd;

    public int Write(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, ReadOnlySpan<byte> payload)
    {
        fixed (byte* h = header)
        fixed (byte* b = body)
        fixed (byte* p = payload)
        {
            var iov = stackalloc Libc.IoVec[3];
            int count = 0;
            Add(iov, ref count, h, header.Length);
            Add(iov, ref count, b, body.Length);
            Add(iov, ref count, p, payload.Length);
            while (true)
            {
                // The kernel consumes a reply whole or not at all: no partial writes to handle.
                if (Libc.Writev(Fd, iov, count) >= 0)
                {
                    return 0;
                }

                int errno = Libc.LastErrno;
                if (errno != Errno.EINTR)
                {
                    return errno;
                }
            }
        }
    }

    private static void Add(Libc.IoVec* iov, ref int count, byte* data, int length)
    {
        if (length > 0)
        {
            iov[count].Base = data;
            iov[count].Len = (nuint)length;
            count++;
        }
    }
}
