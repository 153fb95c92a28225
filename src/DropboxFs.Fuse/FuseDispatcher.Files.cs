using System.Buffers;
using System.Runtime.CompilerServices;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse.Protocol;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Fuse;

// OPEN, READ, WRITE, FLUSH, FSYNC, RELEASE, CREATE, COPY_FILE_RANGE.
internal sealed partial class FuseDispatcher
{
    private readonly record struct IoArgs(ulong Handle, long Offset, int Size);

    private readonly record struct WriteArgs(ulong Handle, long Offset, byte[] Data, int Size);

    private readonly record struct CreateArgs(string Name, FsOpenFlags Flags);

    private void Open(FuseRequest req, ReadOnlySpan<byte> body) =>
        Start(req, ToOpenFlags(FuseWire.Read<OpenIn>(body).Flags), static async (d, r, flags, ct) =>
            d.ReplyOpen(r, await d._fs.OpenAsync(r.NodeId, flags, ct).ConfigureAwait(false)));

    private void Read(FuseRequest req, ReadOnlySpan<byte> body)
    {
        var read = FuseWire.Read<ReadIn>(body);
        var args = new IoArgs(read.Fh, (long)read.Offset, (int)Math.Min(read.Size, MaxWrite));
        Start(req, args, static async (d, r, a, ct) =>
        {
            byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(a.Size, 1));
            try
            {
                int n = await d._fs.ReadAsync(r.NodeId, a.Handle, a.Offset, buffer.AsMemory(0, a.Size), ct).ConfigureAwait(false);
                d.Send(r, 0, default, buffer.AsSpan(0, Math.Clamp(n, 0, a.Size)));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });
    }

    private void Write(FuseRequest req, ReadOnlySpan<byte> body)
    {
        var write = FuseWire.Read<WriteIn>(body);
        var data = body[Unsafe.SizeOf<WriteIn>()..];
        int size = (int)Math.Min(write.Size, (uint)data.Length);
        byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(size, 1)); // the reader reuses its buffer after Dispatch returns
        data[..size].CopyTo(copy);
        Start(req, new WriteArgs(write.Fh, (long)write.Offset, copy, size), static async (d, r, a, ct) =>
        {
            try
            {
                int n = await d._fs.WriteAsync(r.NodeId, a.Handle, a.Offset, a.Data.AsMemory(0, a.Size), ct).ConfigureAwait(false);
                d.ReplyWrite(r, n);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(a.Data);
            }
        });
    }

    private void Flush(FuseRequest req, ReadOnlySpan<byte> body) =>
        Start(req, FuseWire.Read<FlushIn>(body).Fh, static async (d, r, fh, ct) =>
        {
            await d._fs.FlushAsync(r.NodeId, fh, ct).ConfigureAwait(false);
            d.ReplyEmpty(r);
        });

    private void Fsync(FuseRequest req, ReadOnlySpan<byte> body) =>
        Start(req, FuseWire.Read<FsyncIn>(body).Fh, static async (d, r, fh, ct) =>
        {
            await d._fs.FsyncAsync(r.NodeId, fh, ct).ConfigureAwait(false);
            d.ReplyEmpty(r);
        });

    private void Release(FuseRequest req, ReadOnlySpan<byte> body) =>
        Start(req, FuseWire.Read<ReleaseIn>(body).Fh, static async (d, r, fh, _) =>
        {
            await d._fs.ReleaseAsync(r.NodeId, fh).ConfigureAwait(false);
            d.ReplyEmpty(r); // the kernel ignores RELEASE errors; close(2) has long returned
        });

    private void Create(FuseRequest req, ReadOnlySpan<byte> body)
    {
        var create = FuseWire.Read<CreateIn>(body);
        var args = new CreateArgs(FuseWire.ReadName(body[Unsafe.SizeOf<CreateIn>()..]), ToOpenFlags(create.Flags));
        Start(req, args, static async (d, r, a, ct) =>
            d.ReplyCreate(r, await d._fs.CreateAsync(r.NodeId, a.Name, a.Flags, ct).ConfigureAwait(false)));
    }

    /// <summary>
    /// copy_file_range(2) within the mount: the facade copies server-side (a whole unchanged file) or byte by byte.
    /// The reply is a write_out, whose 32-bit size caps one call at 4 GiB − 4 KiB (the kernel caps len the same way).
    /// </summary>
    private void CopyFileRange(FuseRequest req, ReadOnlySpan<byte> body)
    {
        var c = FuseWire.Read<CopyFileRangeIn>(body);
        if (c.Flags != 0)
        {
            ReplyError(req, Errno.EINVAL); // no flags are defined for copy_file_range(2)
            return;
        }

        long length = (long)Math.Min(c.Len, uint.MaxValue & ~4095u);
        Start(req, (c, length), static async (d, r, a, ct) =>
        {
            long n = await d._fs.CopyFileRangeAsync(
                r.NodeId, a.c.FhIn, (long)a.c.OffIn, a.c.NodeidOut, a.c.FhOut, (long)a.c.OffOut, a.length, ct).ConfigureAwait(false);
            d.ReplyWrite(r, n);
        });
    }

    internal static FsOpenFlags ToOpenFlags(uint flags)
    {
        var result = (flags & KernelConstants.OAccMode) switch
        {
            KernelConstants.OWrOnly => FsOpenFlags.Write,
            KernelConstants.ORdWr => FsOpenFlags.Read | FsOpenFlags.Write,
            _ => FsOpenFlags.Read,
        };
        if ((flags & KernelConstants.OTrunc) != 0)
        {
            result |= FsOpenFlags.Truncate;
        }

        if ((flags & KernelConstants.OAppend) != 0)
        {
            result |= FsOpenFlags.Append;
        }

        if ((flags & KernelConstants.OCreat) != 0)
        {
            result |= FsOpenFlags.Create;
        }

        if ((flags & KernelConstants.OExcl) != 0)
        {
            result |= FsOpenFlags.Exclusive;
        }

        return result;
    }

    private static OpenOut ToOpenOut(FsOpenResult open) =>
        new() { Fh = open.Handle, OpenFlags = (uint)(open.KeepCache ? FopenFlags.KeepCache : FopenFlags.None) };

    private void ReplyOpen(FuseRequest req, FsOpenResult open)
    {
        var o = ToOpenOut(open);
        if (!Send(req, 0, FuseWire.Bytes(in o)))
        {
            _ = ReleaseOrphanAsync(req.NodeId, open.Handle); // nobody will ever RELEASE a handle the kernel never got
        }
    }

    private void ReplyWrite(FuseRequest req, long written)
    {
        var w = new WriteOut { Size = (uint)Math.Clamp(written, 0, uint.MaxValue) };
        Send(req, 0, FuseWire.Bytes(in w));
    }

    private void ReplyCreate(FuseRequest req, FsCreateResult created)
    {
        // entry_out followed by open_out, as one 144-byte body
        Span<byte> body = stackalloc byte[Unsafe.SizeOf<EntryOut>() + Unsafe.SizeOf<OpenOut>()];
        var e = _attrs.ToEntry(created.Entry);
        var o = ToOpenOut(created.Open);
        FuseWire.Bytes(in e).CopyTo(body);
        FuseWire.Bytes(in o).CopyTo(body[Unsafe.SizeOf<EntryOut>()..]);
        if (!Send(req, 0, body))
        {
            _fs.Forget(created.Entry.NodeId, 1);
            _ = ReleaseOrphanAsync(created.Entry.NodeId, created.Open.Handle);
        }
    }

    private async Task ReleaseOrphanAsync(ulong node, ulong handle)
    {
        try
        {
            await _fs.ReleaseAsync(node, handle).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Background root: the reply already failed; only log.
            _logger.LogWarning(e, "Releasing handle {Handle} of node {Node} after a failed reply failed", handle, node);
        }
    }
}
