using System.Runtime.InteropServices;

namespace DropboxFs.Fuse.Native;

/// <summary>The few libc calls the adapter needs. Every one sets errno (SetLastError).</summary>
internal static unsafe partial class Libc
{
    public const int ORdWr = 2;
    public const int OCloexec = 0x80000;
    public const int FSetFd = 2;
    public const int FdCloexec = 1;
    public const int AfUnix = 1;
    public const int SockStream = 1;
    public const int SockCloexec = 0x80000;
    public const int MsgCmsgCloexec = 0x40000000;
    public const int SolSocket = 1;
    public const int ScmRights = 1;
    public const int MntDetach = 2;
    public const ulong MsRdonly = 1;
    public const ulong MsNosuid = 2;
    public const ulong MsNodev = 4;
    public const ulong FuseDevIocClone = 0x8004e500; // _IOR(229, 0, uint32_t)
    public const ulong FuseDevIocBackingOpen = 0x4010e501; // _IOW(229, 1, struct fuse_backing_map): 7.40
    public const ulong FuseDevIocBackingClose = 0x4004e502; // _IOW(229, 2, uint32_t): 7.40
    public const int ORdOnly = 0;
    public const int FOk = 0;

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    /// <summary>x86_64/arm64 struct msghdr (56 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "writev", SetLastError = true)]
    public static partial nint Writev(int fd, IoVec* iov, int iovcnt);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, void* argument);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "socketpair", SetLastError = true)]
    public static partial int SocketPair(int domain, int type, int protocol, int* sv);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fsType, ulong flags, string data);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Access(string path, int mode);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "getegid")]
    public static partial uint GetEgid();

    public static int LastErrno => Marshal.GetLastPInvokeError();

    public static string Describe(int errno) => $"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
}
