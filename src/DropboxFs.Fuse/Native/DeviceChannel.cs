using DropboxFs.Fuse.Protocol;

namespace DropboxFs.Fuse.Native;

/// <summary>
/// Writes messages to one /dev/fuse fd (the master or a clone), one writev per message, and owns the
/// fd's closing: a handler that finishes after shutdown must never write into a reused fd number, so
/// <see cref="Close"/> waits for writers in progress and later writes get EBADF without touching the fd.
/// </summary>
internal sealed unsafe class DeviceChannel(int fd) : IFuseChannel
{
    private int _writers;
    private int _closed;

    public int Fd { get; } = fd;

    public int Write(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, ReadOnlySpan<byte> payload)
    {
        Interlocked.Increment(ref _writers);
        try
        {
            return Volatile.Read(ref _closed) != 0 ? Errno.EBADF : WriteCore(header, body, payload);
        }
        finally
        {
            Interlocked.Decrement(ref _writers);
        }
    }

    public int OpenBacking(string path, out int backingId)
    {
        backingId = 0;
        Interlocked.Increment(ref _writers); // the same guard as writes: never an ioctl on a reused fd number
        try
        {
            if (Volatile.Read(ref _closed) != 0)
            {
                return Errno.EBADF;
            }

            int file = Libc.Open(path, Libc.ORdOnly | Libc.OCloexec);
            if (file < 0)
            {
                return Libc.LastErrno;
            }

            try
            {
                var map = new BackingMap { Fd = file };
                int id = Libc.Ioctl(Fd, Libc.FuseDevIocBackingOpen, &map);
                if (id < 0)
                {
                    return Libc.LastErrno;
                }

                backingId = id;
                return 0;
            }
            finally
            {
                Libc.Close(file); // the kernel holds its own reference to the file now
            }
        }
        finally
        {
            Interlocked.Decrement(ref _writers);
        }
    }

    public int CloseBacking(int backingId)
    {
        Interlocked.Increment(ref _writers);
        try
        {
            uint id = (uint)backingId;
            return Volatile.Read(ref _closed) != 0 ? Errno.EBADF : Libc.Ioctl(Fd, Libc.FuseDevIocBackingClose, &id) == 0 ? 0 : Libc.LastErrno;
        }
        finally
        {
            Interlocked.Decrement(ref _writers);
        }
    }

    /// <summary>Refuses further writes, waits for those in progress, closes the fd (once).</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        var spin = default(SpinWait);
        while (Volatile.Read(ref _writers) != 0)
        {
            spin.SpinOnce(); // a writev to a dead connection returns at once (ENODEV)
        }

        Libc.Close(Fd);
    }

    private int WriteCore(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, ReadOnlySpan<byte> payload)
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
