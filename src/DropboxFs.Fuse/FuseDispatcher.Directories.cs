using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse.Protocol;

namespace DropboxFs.Fuse;

// OPENDIR, READDIR, READDIRPLUS, RELEASEDIR, MKDIR, UNLINK, RMDIR, RENAME, RENAME2.
internal sealed partial class FuseDispatcher
{
    private readonly ConcurrentDictionary<ulong, DirHandle> _dirs = new();
    private long _nextDirHandle;

    /// <summary>
    /// A listing snapshot behind an OPENDIR handle. Cookie i means "continue at index i" of
    /// [".", "..", snapshot...], so offsets stay valid while the folder changes remotely.
    /// The kernel serializes READDIR per open directory, so a handle is never used concurrently.
    /// </summary>
    private sealed class DirHandle(ulong node)
    {
        public ulong Node { get; } = node;

        public IReadOnlyList<FsDirEntry>? Entries { get; set; }

        public ulong SelfIno { get; set; }
    }

    private readonly record struct ReaddirArgs(ulong Handle, ulong Offset, int Size, bool Plus);

    private readonly record struct RenameArgs(string Name, ulong NewParent, string NewName, FsRenameFlags Flags);

    private void Opendir(FuseRequest req)
    {
        ulong fh = (ulong)Interlocked.Increment(ref _nextDirHandle);
        _dirs[fh] = new DirHandle(req.NodeId);
        var o = new OpenOut { Fh = fh };
        Send(req, 0, FuseWire.Bytes(in o));
    }

    private void Releasedir(FuseRequest req, ReadOnlySpan<byte> body)
    {
        _dirs.TryRemove(FuseWire.Read<ReleaseIn>(body).Fh, out _);
        ReplyEmpty(req);
    }

    private void Readdir(FuseRequest req, ReadOnlySpan<byte> body, bool plus)
    {
        var read = FuseWire.Read<ReadIn>(body);
        var args = new ReaddirArgs(read.Fh, read.Offset, (int)Math.Min(read.Size, MaxWrite), plus);
        Start(req, args, static async (d, r, a, ct) =>
        {
            if (!d._dirs.TryGetValue(a.Handle, out var dir))
            {
                throw new FsException(FsError.BadHandle);
            }

            if (dir.Entries is null || a.Offset == 0)
            {
                // First read, or rewinddir(): take a fresh snapshot.
                dir.SelfIno = (await d._fs.GetAttrAsync(dir.Node, ct).ConfigureAwait(false)).Ino;
                dir.Entries = await d._fs.ReadDirAsync(dir.Node, ct).ConfigureAwait(false);
            }

            d.ReplyReaddir(r, dir, a);
        });
    }

    private void ReplyReaddir(FuseRequest req, DirHandle dir, ReaddirArgs a)
    {
        var entries = dir.Entries!;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(a.Size, 1));
        var remembered = new List<ulong>();
        try
        {
            int used = FillDirBuffer(buffer.AsSpan(0, a.Size), dir.SelfIno, entries, a.Offset, a.Plus, remembered);
            foreach (ulong node in remembered)
            {
                _fs.Remember(node); // before the reply: the kernel may FORGET as soon as it has it
            }

            if (!Send(req, 0, buffer.AsSpan(0, used)))
            {
                foreach (ulong node in remembered)
                {
                    _fs.Forget(node, 1); // the kernel never saw these entries
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Encodes entries from index <paramref name="offset"/> until the buffer is full. Only entries that
    /// fit are listed in <paramref name="remembered"/>: the kernel takes one lookup reference for each
    /// direntplus with a nodeid in the reply, and none for those we left out.
    /// </summary>
    internal int FillDirBuffer(Span<byte> buffer, ulong selfIno, IReadOnlyList<FsDirEntry> entries, ulong offset, bool plus, List<ulong> remembered)
    {
        int used = 0;
        Span<byte> name = stackalloc byte[1024]; // NAME_MAX is 255 bytes; Dropbox names are shorter
        for (ulong i = offset; i < (ulong)entries.Count + 2; i++)
        {
            int n;
            if (i < 2)
            {
                // "." and "..": nodeid 0 in READDIRPLUS means "no entry", so no lookup reference.
                int len = (int)i + 1;
                name[..len].Fill((byte)'.');
                var none = default(EntryOut);
                n = plus
                    ? FuseWire.AppendDirentplus(buffer[used..], in none, selfIno, i + 1, KernelConstants.DtDir, name[..len])
                    : FuseWire.AppendDirent(buffer[used..], selfIno, i + 1, KernelConstants.DtDir, name[..len]);
            }
            else
            {
                var item = entries[(int)(i - 2)];
                int len = Encoding.UTF8.GetBytes(item.Name, name);
                var attrs = item.Entry.Attributes;
                uint type = FuseAttributes.DirentType(attrs.Kind);
                var e = _attrs.ToEntry(item.Entry);
                n = plus
                    ? FuseWire.AppendDirentplus(buffer[used..], in e, attrs.Ino, i + 1, type, name[..len])
                    : FuseWire.AppendDirent(buffer[used..], attrs.Ino, i + 1, type, name[..len]);
                if (n > 0 && plus && item.Entry.NodeId != 0)
                {
                    remembered.Add(item.Entry.NodeId);
                }
            }

            if (n == 0)
            {
                break; // full: the kernel asks again from this entry's cookie
            }

            used += n;
        }

        return used;
    }

    private void Mkdir(FuseRequest req, ReadOnlySpan<byte> body) =>
        Start(req, FuseWire.ReadName(body[Unsafe.SizeOf<MkdirIn>()..]), static async (d, r, name, ct) =>
            d.ReplyEntry(r, await d._fs.MkdirAsync(r.NodeId, name, ct).ConfigureAwait(false)));

    private void Unlink(FuseRequest req, ReadOnlySpan<byte> body) =>
        Start(req, FuseWire.ReadName(body), static async (d, r, name, ct) =>
        {
            await d._fs.UnlinkAsync(r.NodeId, name, ct).ConfigureAwait(false);
            d.ReplyEmpty(r);
        });

    private void Rmdir(FuseRequest req, ReadOnlySpan<byte> body) =>
        Start(req, FuseWire.ReadName(body), static async (d, r, name, ct) =>
        {
            await d._fs.RmdirAsync(r.NodeId, name, ct).ConfigureAwait(false);
            d.ReplyEmpty(r);
        });

    private void Rename(FuseRequest req, ReadOnlySpan<byte> body) =>
        StartRename(req, FuseWire.Read<RenameIn>(body).Newdir, 0, body[Unsafe.SizeOf<RenameIn>()..]);

    private void Rename2(FuseRequest req, ReadOnlySpan<byte> body)
    {
        var r2 = FuseWire.Read<Rename2In>(body);
        StartRename(req, r2.Newdir, r2.Flags, body[Unsafe.SizeOf<Rename2In>()..]);
    }

    private void StartRename(FuseRequest req, ulong newParent, uint flags, ReadOnlySpan<byte> names)
    {
        if ((flags & ~(KernelConstants.RenameNoReplace | KernelConstants.RenameExchange)) != 0)
        {
            ReplyError(req, Errno.EINVAL); // RENAME_WHITEOUT and unknown flags (overlayfs only)
            return;
        }

        string name = FuseWire.ReadName(names, out var rest);
        var fsFlags = ((flags & KernelConstants.RenameNoReplace) != 0 ? FsRenameFlags.NoReplace : FsRenameFlags.None)
            | ((flags & KernelConstants.RenameExchange) != 0 ? FsRenameFlags.Exchange : FsRenameFlags.None);
        Start(req, new RenameArgs(name, newParent, FuseWire.ReadName(rest), fsFlags), static async (d, r, a, ct) =>
        {
            await d._fs.RenameAsync(r.NodeId, a.Name, a.NewParent, a.NewName, a.Flags, ct).ConfigureAwait(false);
            d.ReplyEmpty(r);
        });
    }
}
