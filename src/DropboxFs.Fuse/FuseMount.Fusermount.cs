using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using DropboxFs.Fuse.Native;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Fuse;

// Non-root mounting: fusermount3 mounts and hands the /dev/fuse fd back over a socket (SCM_RIGHTS).
public sealed partial class FuseMount
{
    private unsafe int MountWithFusermount()
    {
        int* sv = stackalloc int[2];
        // Both ends CLOEXEC from birth: a process started by another thread meanwhile must never hold our
        // end, or fusermount3 would not see it close when we die. Then only sv[0] is made inheritable.
        if (Libc.SocketPair(Libc.AfUnix, Libc.SockStream | Libc.SockCloexec, 0, sv) != 0)
        {
            throw new FuseMountException($"socketpair failed: {Libc.Describe(Libc.LastErrno)}.");
        }

        Libc.Fcntl(sv[0], Libc.FSetFd, 0); // fusermount3 inherits sv[0] as _FUSE_COMMFD
        string opts = string.Create(CultureInfo.InvariantCulture,
            $"fsname={_options.FsName},subtype={_options.Subtype},default_permissions{(_options.AllowOther ? ",allow_other" : "")}{(_options.ReadOnly ? ",ro" : "")},max_read={FuseDispatcher.MaxWrite},auto_unmount");
        var psi = new ProcessStartInfo("fusermount3") { UseShellExecute = false, RedirectStandardError = true };
        psi.ArgumentList.Add("-o");
        psi.ArgumentList.Add(opts);
        psi.ArgumentList.Add("--");
        psi.ArgumentList.Add(_mountPoint);
        psi.Environment["_FUSE_COMMFD"] = sv[0].ToString(CultureInfo.InvariantCulture);
        try
        {
            _fusermount = Process.Start(psi) ?? throw new FuseMountException("fusermount3 did not start.");
        }
        catch (Win32Exception e)
        {
            Libc.Close(sv[0]);
            Libc.Close(sv[1]);
            throw new FuseMountException("fusermount3 is not installed: install the fuse3 package (sudo apt-get install fuse3), or run as root.", e);
        }

        Libc.Close(sv[0]);
        int fd = ReceiveFd(sv[1]);
        if (fd < 0)
        {
            Libc.Close(sv[1]);
            string stderr = _fusermount.StandardError.ReadToEnd().Trim();
            _fusermount.WaitForExit();
            throw new FuseMountException($"fusermount3 could not mount {_mountPoint}: {stderr} (exit {_fusermount.ExitCode}). "
                + "If it says permission denied on /dev/fuse, make it 0666 or run as root; allow_other needs user_allow_other in /etc/fuse.conf.");
        }

        Libc.Fcntl(fd, Libc.FSetFd, Libc.FdCloexec); // a child holding the fd would turn a crash into a hung mount
        _fusermountSocket = sv[1]; // auto_unmount: fusermount3 unmounts when this closes, even after kill -9
        if (Libc.GetEuid() != 0)
        {
            StartCrashWatchdog();
        }

        return fd;
    }

    /// <summary>
    /// fusermount3 3.14's auto_unmount checks for ENOTCONN as root, and root gets EACCES on a mount
    /// without allow_other, so for a non-root user it never unmounts after a kill -9 (measured). This
    /// shell waits on a pipe only we hold: EOF without "clean" means we died, and it runs
    /// `fusermount3 -u -z` as our user, which works on a dead mount.
    /// </summary>
    private void StartCrashWatchdog()
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("trap '' INT TERM HUP; read -r state; [ \"$state\" = clean ] || exec fusermount3 -u -z -q -- \"$1\"");
        psi.ArgumentList.Add("dropboxfs-watchdog");
        psi.ArgumentList.Add(_mountPoint);
        try
        {
            _watchdog = Process.Start(psi);
        }
        catch (Win32Exception e)
        {
            _logger.LogWarning(e, "No crash watchdog for {MountPoint}; after a crash run: fusermount3 -u -z {MountPoint}", _mountPoint, _mountPoint);
        }
    }

    private void StopCrashWatchdog()
    {
        if (_watchdog is not { } w)
        {
            return;
        }

        try
        {
            w.StandardInput.WriteLine("clean");
            w.StandardInput.Close();
        }
        catch (IOException)
        {
            // it is gone already
        }

        w.WaitForExit(5000);
        w.Dispose();
        _watchdog = null;
    }

    private static unsafe int ReceiveFd(int socket)
    {
        byte dummy;
        var iov = new Libc.IoVec { Base = &dummy, Len = 1 };
        byte* control = stackalloc byte[64];
        new Span<byte>(control, 64).Clear();
        var msg = new Libc.MsgHdr { Iov = &iov, IovLen = 1, Control = control, ControlLen = 24 }; // CMSG_SPACE(sizeof(int))
        nint n;
        do
        {
            n = Libc.RecvMsg(socket, &msg, Libc.MsgCmsgCloexec); // the fd arrives CLOEXEC, no window for a fork
        }
        while (n < 0 && Libc.LastErrno == Errno.EINTR);

        // struct cmsghdr { size_t len; int level; int type; } then the fd at +16
        if (n <= 0 || *(int*)(control + 8) != Libc.SolSocket || *(int*)(control + 12) != Libc.ScmRights)
        {
            return -1;
        }

        return *(int*)(control + 16);
    }

    private void CloseFusermount()
    {
        StopCrashWatchdog();
        if (_fusermountSocket >= 0)
        {
            Libc.Close(_fusermountSocket);
            _fusermountSocket = -1;
        }

        if (_fusermount is { } p)
        {
            p.WaitForExit(5000);
            p.Dispose();
            _fusermount = null;
        }
    }
}
