using System.Runtime.InteropServices;

namespace DropboxFs.Fuse.Protocol;

// The kernel FUSE ABI (include/uapi/linux/fuse.h). Type names are the C names without "fuse_" in
// PascalCase, field names the C field names in PascalCase: KernelLayoutTests relies on that to compare
// every size and offset with native/fuse_layout.c built against the machine's header. All fields are
// naturally aligned, so LayoutKind.Sequential gives exactly the C layout on every architecture.
#pragma warning disable CS0649 // fields are filled by MemoryMarshal.Read from kernel bytes

[StructLayout(LayoutKind.Sequential)]
internal struct InHeader
{
    public uint Len, Opcode;
    public ulong Unique, Nodeid;
    public uint Uid, Gid, Pid;
    public ushort TotalExtlen, Padding;
}

[StructLayout(LayoutKind.Sequential)]
internal struct OutHeader
{
    public uint Len;
    public int Error;
    public ulong Unique;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct InitIn
{
    public uint Major, Minor, MaxReadahead, Flags, Flags2;
    public fixed uint Unused[11];
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct InitOut
{
    public uint Major, Minor, MaxReadahead, Flags;
    public ushort MaxBackground, CongestionThreshold;
    public uint MaxWrite, TimeGran;
    public ushort MaxPages, MapAlignment;
    public uint Flags2;
    public fixed uint Unused[7];
}

[StructLayout(LayoutKind.Sequential)]
internal struct Attr
{
    public ulong Ino, Size, Blocks, Atime, Mtime, Ctime;
    public uint Atimensec, Mtimensec, Ctimensec, Mode, Nlink, Uid, Gid, Rdev, Blksize, Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct EntryOut
{
    public ulong Nodeid, Generation, EntryValid, AttrValid;
    public uint EntryValidNsec, AttrValidNsec;
    public Attr Attr;
}

[StructLayout(LayoutKind.Sequential)]
internal struct AttrOut
{
    public ulong AttrValid;
    public uint AttrValidNsec, Dummy;
    public Attr Attr;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GetattrIn
{
    public uint GetattrFlags, Dummy;
    public ulong Fh;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SetattrIn
{
    public uint Valid, Padding;
    public ulong Fh, Size, LockOwner, Atime, Mtime, Ctime;
    public uint Atimensec, Mtimensec, Ctimensec, Mode, Unused4, Uid, Gid, Unused5;
}

[StructLayout(LayoutKind.Sequential)]
internal struct OpenIn
{
    public uint Flags, OpenFlags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct OpenOut
{
    public ulong Fh;
    public uint OpenFlags, Padding;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CreateIn
{
    public uint Flags, Mode, Umask, OpenFlags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MkdirIn
{
    public uint Mode, Umask;
}

[StructLayout(LayoutKind.Sequential)]
internal struct ReadIn
{
    public ulong Fh, Offset;
    public uint Size, ReadFlags;
    public ulong LockOwner;
    public uint Flags, Padding;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WriteIn
{
    public ulong Fh, Offset;
    public uint Size, WriteFlags;
    public ulong LockOwner;
    public uint Flags, Padding;
}

[StructLayout(LayoutKind.Sequential)]
internal struct WriteOut
{
    public uint Size, Padding;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CopyFileRangeIn
{
    public ulong FhIn, OffIn, NodeidOut, FhOut, OffOut, Len, Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct FlushIn
{
    public ulong Fh;
    public uint Unused, Padding;
    public ulong LockOwner;
}

[StructLayout(LayoutKind.Sequential)]
internal struct ReleaseIn
{
    public ulong Fh;
    public uint Flags, ReleaseFlags;
    public ulong LockOwner;
}

[StructLayout(LayoutKind.Sequential)]
internal struct FsyncIn
{
    public ulong Fh;
    public uint FsyncFlags, Padding;
}

[StructLayout(LayoutKind.Sequential)]
internal struct RenameIn
{
    public ulong Newdir;
}

[StructLayout(LayoutKind.Sequential)]
internal struct Rename2In
{
    public ulong Newdir;
    public uint Flags, Padding;
}

[StructLayout(LayoutKind.Sequential)]
internal struct AccessIn
{
    public uint Mask, Padding;
}

[StructLayout(LayoutKind.Sequential)]
internal struct ForgetIn
{
    public ulong Nlookup;
}

[StructLayout(LayoutKind.Sequential)]
internal struct ForgetOne
{
    public ulong Nodeid, Nlookup;
}

[StructLayout(LayoutKind.Sequential)]
internal struct BatchForgetIn
{
    public uint Count, Dummy;
}

[StructLayout(LayoutKind.Sequential)]
internal struct InterruptIn
{
    public ulong Unique;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Kstatfs
{
    public ulong Blocks, Bfree, Bavail, Files, Ffree;
    public uint Bsize, Namelen, Frsize, Padding;
    public fixed uint Spare[6];
}

[StructLayout(LayoutKind.Sequential)]
internal struct StatfsOut
{
    public Kstatfs St;
}

/// <summary>Fixed part of a directory entry; the name follows, and the record is padded to 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Dirent
{
    public ulong Ino, Off;
    public uint Namelen, Type;
}

[StructLayout(LayoutKind.Sequential)]
internal struct Direntplus
{
    public EntryOut EntryOut;
    public Dirent Dirent;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NotifyInvalEntryOut
{
    public ulong Parent;
    public uint Namelen, Flags;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NotifyInvalInodeOut
{
    public ulong Ino;
    public long Off, Len;
}
