using System.Buffers;
using System.Security.Cryptography;

namespace DropboxFs.Core.Crypto.Mount;

public sealed partial class CryptFileSystem
{
    /// <summary>
    /// Copies plaintext (read, then write through this layer): a server-side copy would carry the
    /// source's nonce into another file, and a partial copy must be re-encrypted anyway. At most
    /// 4 MiB per call; callers loop on short copies, as copy_file_range(2) allows.
    /// </summary>
    public async ValueTask<long> CopyFileRangeAsync(ulong nodeIn, ulong handleIn, long offsetIn, ulong nodeOut, ulong handleOut, long offsetOut, long length, CancellationToken ct)
    {
        const int Chunk = 128 * 1024;
        long limit = Math.Min(length, 4L << 20);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Chunk);
        long copied = 0;
        try
        {
            while (copied < limit)
            {
                int n = await ReadAsync(nodeIn, handleIn, offsetIn + copied, buffer.AsMemory(0, (int)Math.Min(Chunk, limit - copied)), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                await WriteAsync(nodeOut, handleOut, offsetOut + copied, buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                copied += n;
            }

            return copied;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer.AsSpan(0, Chunk));
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
