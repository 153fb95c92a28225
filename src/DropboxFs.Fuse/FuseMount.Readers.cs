using System.Runtime.InteropServices;
using DropboxFs.Fuse.Native;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Fuse;

// Reader threads: each blocks in read(2) on its own clone of the /dev/fuse fd and dispatches.
public sealed partial class FuseMount
{
    private sealed record Reader(DeviceChannel Channel, Task<bool> Done);

    /// <summary>Reader 0 uses the master channel (shared with the notifier); the others get clone fds.</summary>
    private List<Reader> StartReaders(DeviceChannel master)
    {
        var readers = new List<Reader>();
        int count = Math.Clamp(_options.ReaderThreads, 1, 64);
        for (int i = 0; i < count; i++)
        {
            int clone = i == 0 ? -1 : CloneDevice(master.Fd);
            var channel = clone < 0 ? master : new DeviceChannel(clone);
            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(() => done.SetResult(ReadLoop(channel))) { IsBackground = true, Name = $"fuse-reader-{i}" };
            thread.Start();
            readers.Add(new Reader(channel, done.Task));
        }

        return readers;
    }

    /// <summary>FUSE_DEV_IOC_CLONE: a private fd on the same connection, so readers don't share one queue lock.</summary>
    private unsafe int CloneDevice(int masterFd)
    {
        int fd = Libc.Open(DevFuse, Libc.ORdWr | Libc.OCloexec);
        uint master = (uint)masterFd;
        if (fd >= 0 && Libc.Ioctl(fd, Libc.FuseDevIocClone, &master) == 0)
        {
            return fd;
        }

        _logger.LogDebug("FUSE_DEV_IOC_CLONE failed ({Error}); this reader shares the main fd", Libc.Describe(Libc.LastErrno));
        if (fd >= 0)
        {
            Libc.Close(fd);
        }

        return -1;
    }

    /// <summary>Returns true when the loop ended because the mount went away (ENODEV).</summary>
    private unsafe bool ReadLoop(DeviceChannel channel)
    {
        int fd = channel.Fd;
        byte* buffer = (byte*)NativeMemory.AlignedAlloc(FuseDispatcher.ReadBufferSize, 4096);
        try
        {
            while (true)
            {
                nint n = Libc.Read(fd, buffer, FuseDispatcher.ReadBufferSize);
                if (n >= 0)
                {
                    _dispatcher.Dispatch(new ReadOnlySpan<byte>(buffer, (int)n), channel);
                    continue;
                }

                int errno = Libc.LastErrno;
                if (errno is Errno.EINTR or Errno.EAGAIN or Errno.ENOENT)
                {
                    continue; // ENOENT: the request was aborted before we read it
                }

                if (errno == Errno.ENODEV)
                {
                    return true; // unmounted
                }

                _logger.LogError("Reading /dev/fuse failed: {Error}; this reader stops", Libc.Describe(errno));
                return false;
            }
        }
        catch (Exception e)
        {
            // Background-loop root: Dispatch already catches per request, so this is a bug; stop safely.
            _logger.LogError(e, "FUSE reader crashed");
            return false;
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }
}
