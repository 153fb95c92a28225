using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse.Protocol;

namespace DropboxFs.Fuse;

/// <summary>FsAttributes → fuse_attr / entry_out, with the mount's owner and timeouts.</summary>
internal sealed class FuseAttributes(uint uid, uint gid, TimeSpan entryTimeout, TimeSpan attrTimeout, TimeSpan negativeTimeout)
{
    /// <summary>1 MiB = max_write: coreutils size their I/O by st_blksize (measured 128 × 1 MiB writes vs 1024 × 128 KiB).</summary>
    public const uint BlockSize = 1 << 20;

    public TimeSpan NegativeTimeout => negativeTimeout;

    public Attr ToAttr(in FsAttributes a)
    {
        bool dir = a.Kind == FsNodeKind.Directory;
        uint perm = dir ? 0x1EDu : 0x1A4u; // 0755 / 0644: Dropbox stores no modes
        if (a.ReadOnly)
        {
            perm &= ~0x92u; // drop the write bits (0222)
        }

        ulong size = (ulong)Math.Max(0, a.Size);
        var (mtime, mtimeNsec) = SplitTime(a.ModifiedTime);
        var (ctime, ctimeNsec) = SplitTime(a.ChangeTime);
        return new Attr
        {
            Ino = a.Ino,
            Size = size,
            Blocks = (size + 511) / 512, // always 512-byte units, whatever st_blksize says
            Atime = mtime,
            Atimensec = mtimeNsec,
            Mtime = mtime,
            Mtimensec = mtimeNsec,
            Ctime = ctime,
            Ctimensec = ctimeNsec,
            Mode = (dir ? KernelConstants.SIfDir : KernelConstants.SIfReg) | perm,
            Nlink = dir ? 2u : 1u,
            Uid = uid,
            Gid = gid,
            Blksize = BlockSize,
        };
    }

    public EntryOut ToEntry(in FsEntry entry)
    {
        var (es, ens) = SplitTimeout(entryTimeout);
        var (asec, ans) = SplitTimeout(attrTimeout);
        return new EntryOut
        {
            Nodeid = entry.NodeId,
            EntryValid = es,
            EntryValidNsec = ens,
            AttrValid = asec,
            AttrValidNsec = ans,
            Attr = ToAttr(entry.Attributes),
        };
    }

    /// <summary>A cached "no such name": nodeid 0 with entry_valid = the negative timeout.</summary>
    public EntryOut NegativeEntry()
    {
        var (s, ns) = SplitTimeout(negativeTimeout);
        return new EntryOut { EntryValid = s, EntryValidNsec = ns };
    }

    public AttrOut ToAttrOut(in FsAttributes a)
    {
        var (s, ns) = SplitTimeout(attrTimeout);
        return new AttrOut { AttrValid = s, AttrValidNsec = ns, Attr = ToAttr(a) };
    }

    public static uint DirentType(FsNodeKind kind) => kind == FsNodeKind.Directory ? KernelConstants.DtDir : KernelConstants.DtReg;

    internal static (ulong Seconds, uint Nanoseconds) SplitTime(DateTimeOffset time)
    {
        long ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        long seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rem);
        if (rem < 0)
        {
            seconds--;
            rem += TimeSpan.TicksPerSecond;
        }

        return ((ulong)seconds, (uint)(rem * 100));
    }

    private static (ulong Seconds, uint Nanoseconds) SplitTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return (0, 0);
        }

        return ((ulong)(timeout.Ticks / TimeSpan.TicksPerSecond), (uint)(timeout.Ticks % TimeSpan.TicksPerSecond * 100));
    }
}
