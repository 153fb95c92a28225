using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse.Protocol;

namespace DropboxFs.Fuse;

// LOOKUP, FORGET, BATCH_FORGET, GETATTR, SETATTR, STATFS.
internal sealed partial class FuseDispatcher
{
    private void Lookup(FuseRequest req, ReadOnlySpan<byte> body) =>
        Start(req, FuseWire.ReadName(body), static async (d, r, name, ct) =>
        {
            try
            {
                d.ReplyEntry(r, await d._fs.LookupAsync(r.NodeId, name, ct).ConfigureAwait(false));
            }
            catch (FsException e) when (e.Error == FsError.NotFound && d._attrs.NegativeTimeout > TimeSpan.Zero)
            {
                d.ReplyNegativeEntry(r); // cached by the kernel; a plain ENOENT would not be
            }
        });

    private void Forget(FuseRequest req, ReadOnlySpan<byte> body) =>
        _fs.Forget(req.NodeId, FuseWire.Read<ForgetIn>(body).Nlookup);

    private void BatchForget(ReadOnlySpan<byte> body)
    {
        var batch = FuseWire.Read<BatchForgetIn>(body);
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<ForgetOne>();
        var items = body[System.Runtime.CompilerServices.Unsafe.SizeOf<BatchForgetIn>()..];
        for (int i = 0; i < batch.Count && (i + 1) * size <= items.Length; i++)
        {
            var one = FuseWire.Read<ForgetOne>(items[(i * size)..]);
            _fs.Forget(one.Nodeid, one.Nlookup);
        }
    }

    private void Getattr(FuseRequest req) =>
        Start(req, 0, static async (d, r, _, ct) => d.ReplyAttr(r, await d._fs.GetAttrAsync(r.NodeId, ct).ConfigureAwait(false)));

    private void Setattr(FuseRequest req, ReadOnlySpan<byte> body)
    {
        var s = FuseWire.Read<SetattrIn>(body);
        var valid = (FattrFlags)s.Valid;
        long? size = valid.HasFlag(FattrFlags.Size) ? (long)s.Size : null;
        DateTimeOffset? mtime = valid.HasFlag(FattrFlags.MtimeNow) ? _time.GetUtcNow()
            : valid.HasFlag(FattrFlags.Mtime) ? DateTimeOffset.UnixEpoch.AddSeconds((long)s.Mtime).AddTicks(s.Mtimensec / 100) : null;
        ulong? handle = valid.HasFlag(FattrFlags.Fh) ? s.Fh : null;

        // chmod/chown/atime-only: Dropbox stores none of these, so they succeed as no-ops
        // (otherwise cp -a and rsync -a fail); the reply shows the unchanged attributes.
        var change = new FsSetAttr(size, mtime, handle);
        Start(req, change, static async (d, r, c, ct) => d.ReplyAttr(r, c.Size is null && c.ModifiedTime is null
            ? await d._fs.GetAttrAsync(r.NodeId, ct).ConfigureAwait(false)
            : await d._fs.SetAttrAsync(r.NodeId, c, ct).ConfigureAwait(false)));
    }

    private void Statfs(FuseRequest req) =>
        Start(req, 0, static async (d, r, _, ct) => d.ReplyStatfs(r, await d._fs.StatFsAsync(ct).ConfigureAwait(false)));

    private void ReplyEntry(FuseRequest req, FsEntry entry)
    {
        var e = _attrs.ToEntry(entry);
        if (!Send(req, 0, FuseWire.Bytes(in e)))
        {
            _fs.Forget(entry.NodeId, 1); // the kernel never saw this entry, so it will never FORGET it
        }
    }

    private void ReplyNegativeEntry(FuseRequest req)
    {
        var e = _attrs.NegativeEntry();
        Send(req, 0, FuseWire.Bytes(in e));
    }

    private void ReplyAttr(FuseRequest req, FsAttributes attributes)
    {
        var a = _attrs.ToAttrOut(attributes);
        Send(req, 0, FuseWire.Bytes(in a));
    }

    private void ReplyStatfs(FuseRequest req, FsStatFs s)
    {
        const uint blockSize = 4096; // df multiplies blocks by frsize; 4 KiB keeps 2 TiB quotas far from overflow
        var st = new StatfsOut
        {
            St = new Kstatfs
            {
                Blocks = (ulong)Math.Max(0, s.TotalBytes) / blockSize,
                Bfree = (ulong)Math.Max(0, s.FreeBytes) / blockSize,
                Bavail = (ulong)Math.Max(0, s.FreeBytes) / blockSize,
                Files = (ulong)Math.Max(0, s.TotalFiles),
                Ffree = (ulong)Math.Max(0, s.FreeFiles),
                Bsize = blockSize,
                Frsize = blockSize,
                Namelen = (uint)Math.Max(0, s.MaxNameLength),
            },
        };
        Send(req, 0, FuseWire.Bytes(in st));
    }
}
