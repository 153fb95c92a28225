using System.Diagnostics;
using System.Globalization;
using DropboxFs.Fuse.Native;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Fuse;

// Making and removing the mount: mount(2) as root, fusermount3 otherwise; stale-mount cleanup.
public sealed partial class FuseMount
{
    private const string DevFuse = "/dev/fuse";

    private int _fusermountSocket = -1;
    private Process? _fusermount;
    private Process? _watchdog;

    private bool UseSyscall => _options.Method switch
    {
        FuseMountMethod.Syscall => true,
        FuseMountMethod.Fusermount => false,
        _ => Libc.GetEuid() == 0 && !FusermountInstalled(),
    };

    private static bool FusermountInstalled() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, "fusermount3")));

    /// <summary>Checks the mountpoint, clears a stale mount there, mounts, and returns the /dev/fuse fd.</summary>
    private int MountDevice()
    {
        ClearStaleMount(_mountPoint);
        ValidateMountPoint();
        if (!File.Exists(DevFuse))
        {
            throw new FuseMountException($"{DevFuse} does not exist: load the fuse module (modprobe fuse), or in a container pass --device /dev/fuse --cap-add SYS_ADMIN.");
        }

        return UseSyscall ? MountWithSyscall() : MountWithFusermount();
    }

    private void ValidateMountPoint()
    {
        if (File.Exists(_mountPoint))
        {
            throw new FuseMountException($"Mountpoint {_mountPoint} is a file; choose an empty directory.");
        }

        if (!Directory.Exists(_mountPoint))
        {
            throw new FuseMountException($"Mountpoint {_mountPoint} does not exist; create it with: mkdir -p '{_mountPoint}'");
        }

        if (IsMountPoint(_mountPoint))
        {
            throw new FuseMountException($"{_mountPoint} is already a mount point (busy); unmount it first (dropboxfs unmount '{_mountPoint}') or choose another directory.");
        }

        if (!_options.AllowNonEmpty && Directory.EnumerateFileSystemEntries(_mountPoint).Any())
        {
            throw new FuseMountException($"Mountpoint {_mountPoint} is not empty; its files would be hidden while mounted. Choose an empty directory.");
        }
    }

    private int MountWithSyscall()
    {
        int fd = Libc.Open(DevFuse, Libc.ORdWr | Libc.OCloexec);
        if (fd < 0)
        {
            throw new FuseMountException($"Cannot open {DevFuse}: {Libc.Describe(Libc.LastErrno)}.");
        }

        // Only kernel options here: fsname/subtype in the data string give EINVAL; they go to source/fstype.
        string data = string.Create(CultureInfo.InvariantCulture,
            $"fd={fd},rootmode=40000,user_id={_uid},group_id={_gid},default_permissions{(_options.AllowOther ? ",allow_other" : "")},max_read={FuseDispatcher.MaxWrite}");
        ulong flags = Libc.MsNosuid | Libc.MsNodev | (_options.ReadOnly ? Libc.MsRdonly : 0);
        if (Libc.Mount(_options.FsName, _mountPoint, "fuse." + _options.Subtype, flags, data) != 0)
        {
            int errno = Libc.LastErrno;
            Libc.Close(fd);
            throw new FuseMountException($"mount({_mountPoint}) failed: {Libc.Describe(errno)}.");
        }

        return fd;
    }

    /// <summary>
    /// Lazy unmount of the mount this instance made (nothing when mounting failed or has not happened):
    /// the kernel detaches now and readers see ENODEV once no process uses the mount.
    /// </summary>
    public void Unmount()
    {
        if (!_mounted || Interlocked.Exchange(ref _unmountRequested, 1) == 1)
        {
            return;
        }

        _logger.LogInformation("Unmounting {MountPoint} (lazy)", _mountPoint);
        DetachMount(_mountPoint, _logger);
    }

    /// <summary>
    /// Lazily unmounts the mount at <paramref name="mountPoint"/> (what <c>dropboxfs unmount</c> does); the
    /// daemon serving it then sees ENODEV and exits. Returns false when nothing is mounted there.
    /// </summary>
    public static bool UnmountAt(string mountPoint)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(mountPoint));
        return IsMountPoint(full) && DetachMount(full, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
    }

    /// <summary>umount2(MNT_DETACH) when permitted, else fusermount3 -u -z.</summary>
    internal static bool DetachMount(string mountPoint, ILogger logger)
    {
        if (Libc.Umount2(mountPoint, Libc.MntDetach) == 0)
        {
            return true;
        }

        int errno = Libc.LastErrno;
        if (errno == Errno.EINVAL)
        {
            return false; // not a mount point (any more)
        }

        try
        {
            using var p = Process.Start(new ProcessStartInfo("fusermount3") { ArgumentList = { "-u", "-z", "-q", "--", mountPoint }, UseShellExecute = false });
            p?.WaitForExit();
            return p?.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            logger.LogError(e, "Cannot unmount {MountPoint}: umount2 said {Error} and fusermount3 is not installed", mountPoint, Libc.Describe(errno));
            return false;
        }
    }

    /// <summary>A daemon that died without auto_unmount leaves ENOTCONN behind; detach it so we can mount again.</summary>
    internal static void ClearStaleMount(string mountPoint, ILogger? logger = null)
    {
        if (Libc.Access(mountPoint, Libc.FOk) != 0 && Libc.LastErrno == Errno.ENOTCONN)
        {
            logger?.LogWarning("Clearing a stale mount at {MountPoint} (transport endpoint not connected)", mountPoint);
            DetachMount(mountPoint, logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        }
    }

    /// <summary>Raises the mount's bdi read_ahead_kb (see <see cref="FuseMountOptions.ReadAheadBytes"/>); best effort.</summary>
    private void TuneReadAhead()
    {
        if (_options.ReadAheadBytes <= 0 || FindDevice(_mountPoint) is not { } device)
        {
            return;
        }

        string path = $"/sys/class/bdi/{device}/read_ahead_kb";
        try
        {
            File.WriteAllText(path, (_options.ReadAheadBytes / 1024).ToString(CultureInfo.InvariantCulture));
            _logger.LogDebug("Readahead of {MountPoint} set to {Kb} KiB", _mountPoint, _options.ReadAheadBytes / 1024);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            _logger.LogDebug("Cannot raise readahead ({Path}: {Error}); the kernel's default stays", path, e.Message);
        }
    }

    /// <summary>"major:minor" of the mount at <paramref name="path"/>, from /proc/self/mountinfo.</summary>
    internal static string? FindDevice(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string? device = null;
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && UnescapeMountInfo(fields[4]) == full)
            {
                device = fields[2]; // the last match is the top of a stack of mounts
            }
        }

        return device;
    }

    /// <summary>True when /proc/self/mountinfo lists the path as a mount point.</summary>
    public static bool IsMountPoint(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            if (fields.Length > 4 && UnescapeMountInfo(fields[4]) == full)
            {
                return true;
            }
        }

        return false;
    }

    private static string UnescapeMountInfo(string field)
    {
        // mountinfo escapes space, tab, newline and backslash as \ooo octal.
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var sb = new System.Text.StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length)
            {
                sb.Append((char)Convert.ToInt32(field.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }

        return sb.ToString();
    }
}
