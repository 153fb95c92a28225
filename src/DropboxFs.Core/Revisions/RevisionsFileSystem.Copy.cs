using System.Buffers;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Revisions;

/// <summary>copy_file_range: `cp` of a revision over a live file is an ordinary write of its bytes.</summary>
public sealed partial class RevisionsFileSystem
{
    // 1 MiB per step: the FUSE request size; the block cache reads ahead beyond it on its own.
    private const int CopyChunk = 1 << 20;

    public async ValueTask<long> CopyFileRangeAsync(
        ulong nodeIn, ulong handleIn, long offsetIn, ulong nodeOut, ulong handleOut, long offsetOut, long length, CancellationToken ct)
    {
        if (IsVirtual(nodeOut))
        {
            ViewNode.RequireWritable(_views.Get(nodeOut));
        }

        if (!IsVirtual(nodeIn))
        {
            return await _inner.CopyFileRangeAsync(nodeIn, handleIn, offsetIn, nodeOut, handleOut, offsetOut, length, ct).ConfigureAwait(false);
        }

        if (offsetIn < 0 || offsetOut < 0 || length < 0)
        {
            throw new FsException(FsError.InvalidArgument);
        }

        // A revision has no server-side copy into an open file (files/restore replaces the file; `dropboxfs restore` does
        // that): the bytes come from the block cache and go through the inner facade's ordinary write path.
        var buffer = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            long total = 0;
            while (total < length)
            {
                var n = await _handles.ReadAsync(nodeIn, handleIn, offsetIn + total, buffer.AsMemory(0, (int)Math.Min(CopyChunk, length - total)), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                if (await _inner.WriteAsync(nodeOut, handleOut, offsetOut + total, buffer.AsMemory(0, n), ct).ConfigureAwait(false) != n)
                {
                    throw new FsException(FsError.IoError, "short write while copying a revision");
                }

                total += n;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
