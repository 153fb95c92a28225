namespace DropboxFs.Fuse.Protocol;

/// <summary>FUSE request opcodes (fuse.h <c>enum fuse_opcode</c>).</summary>
internal enum FuseOpcode : uint
{
    Lookup = 1,
    Forget = 2,
    Getattr = 3,
    Setattr = 4,
    Readlink = 5,
    Symlink = 6,
    Mknod = 8,
    Mkdir = 9,
    Unlink = 10,
    Rmdir = 11,
    Rename = 12,
    Link = 13,
    Open = 14,
    Read = 15,
    Write = 16,
    Statfs = 17,
    Release = 18,
    Fsync = 20,
    Setxattr = 21,
    Getxattr = 22,
    Listxattr = 23,
    Removexattr = 24,
    Flush = 25,
    Init = 26,
    Opendir = 27,
    Readdir = 28,
    Releasedir = 29,
    Fsyncdir = 30,
    Getlk = 31,
    Setlk = 32,
    Setlkw = 33,
    Access = 34,
    Create = 35,
    Interrupt = 36,
    Bmap = 37,
    Destroy = 38,
    Ioctl = 39,
    Poll = 40,
    NotifyReply = 41,
    BatchForget = 42,
    Fallocate = 43,
    Readdirplus = 44,
    Rename2 = 45,
    Lseek = 46,
    CopyFileRange = 47,
}

/// <summary>INIT flags (low 32 bits of the negotiated capability set).</summary>
[Flags]
internal enum InitFlags : uint
{
    AsyncRead = 1u << 0,
    PosixLocks = 1u << 1,
    AtomicOTrunc = 1u << 3,
    ExportSupport = 1u << 4,
    BigWrites = 1u << 5,
    DontMask = 1u << 6,
    AutoInvalData = 1u << 12,
    DoReaddirplus = 1u << 13,
    ReaddirplusAuto = 1u << 14,
    AsyncDio = 1u << 15,
    WritebackCache = 1u << 16,
    ParallelDirops = 1u << 18,
    MaxPages = 1u << 22,
    InitExt = 1u << 30,
}

/// <summary>INIT flags2 (bits 32..63 of the capability set, shifted down; read only with <see cref="InitFlags.InitExt"/>).</summary>
[Flags]
internal enum InitFlags2 : uint
{
    None = 0,

    /// <summary>FUSE_PASSTHROUGH (1ULL &lt;&lt; 37, 7.40): opens may hand the kernel a backing file.</summary>
    Passthrough = 1u << 5,
}

/// <summary>open_out.open_flags.</summary>
[Flags]
internal enum FopenFlags : uint
{
    None = 0,
    DirectIo = 1 << 0,
    KeepCache = 1 << 1,
    NonSeekable = 1 << 2,
    CacheDir = 1 << 3,

    /// <summary>FOPEN_PASSTHROUGH (7.40): the kernel reads open_out.backing_id's file itself. May only be
    /// combined with DIRECT_IO/PARALLEL_DIRECT_WRITES/NOFLUSH (FOPEN_PASSTHROUGH_MASK), never KEEP_CACHE.</summary>
    Passthrough = 1 << 7,
}

/// <summary>setattr_in.valid.</summary>
[Flags]
internal enum FattrFlags : uint
{
    Mode = 1 << 0,
    Uid = 1 << 1,
    Gid = 1 << 2,
    Size = 1 << 3,
    Atime = 1 << 4,
    Mtime = 1 << 5,
    Fh = 1 << 6,
    AtimeNow = 1 << 7,
    MtimeNow = 1 << 8,
    LockOwner = 1 << 9,
    Ctime = 1 << 10,
}

internal static class KernelConstants
{
    public const uint KernelMajor = 7;

    /// <summary>
    /// The dialect we speak. 7.31 has everything we use (MAX_PAGES 7.28, PARALLEL_DIROPS, AUTO_INVAL_DATA,
    /// RENAME2 7.23) and predates extension headers (7.38) and flags2 (7.36), so request and reply
    /// layouts are the fixed ones in KernelAbi.cs. The kernel talks whatever minor we declare.
    /// </summary>
    public const uint OurMinor = 31;

    /// <summary>
    /// The dialect when passthrough is granted: FOPEN_PASSTHROUGH, open_out.backing_id and
    /// init_out.max_stack_depth are 7.40. Requests keep the 7.31 layouts: extension headers (7.38)
    /// only follow requests when FUSE_SECURITY_CTX/CREATE_SUPP_GROUP are granted, and we never ask.
    /// </summary>
    public const uint PassthroughMinor = 40;

    /// <summary>
    /// init_out.max_stack_depth with passthrough: our backing files live on a plain disk filesystem
    /// (depth 0), so the mount is depth 1. The kernel refuses passthrough for 0 or more than
    /// FILESYSTEM_MAX_STACK_DEPTH (2).
    /// </summary>
    public const uint PassthroughStackDepth = 1;

    /// <summary>Below 7.12 there are no invalidation notifications; refuse such kernels (all pre-2009).</summary>
    public const uint MinimumMinor = 12;

    /// <summary>init_out was 24 bytes before 7.23 (FUSE_COMPAT_22_INIT_OUT_SIZE).</summary>
    public const int CompatInitOutSize = 24;

    public const int MinorWithFullInitOut = 23;

    public const int NotifyInvalInode = 2;
    public const int NotifyInvalEntry = 3;

    public const uint GetattrFh = 1;
    public const uint FsyncFdatasync = 1;

    public const uint RenameNoReplace = 1;
    public const uint RenameExchange = 2;
    public const uint RenameWhiteout = 4;

    // open(2) flags on x86_64 and arm64 (asm-generic)
    public const uint OAccMode = 3;
    public const uint OWrOnly = 1;
    public const uint ORdWr = 2;
    public const uint OCreat = 0x40;
    public const uint OExcl = 0x80;
    public const uint OTrunc = 0x200;
    public const uint OAppend = 0x400;

    public const uint SIfDir = 0x4000;
    public const uint SIfReg = 0x8000;
    public const uint DtDir = 4;
    public const uint DtReg = 8;

    /// <summary>The bit the kernel sets in the unique id of an INTERRUPT request.</summary>
    public const ulong InterruptUniqueBit = 1;
}
