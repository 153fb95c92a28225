using System.Buffers;
using System.Security.Cryptography;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Crypto.Mount;

/// <summary>
/// The one slow path: re-encrypt the whole file under a fresh nonce, applying a write or a new
/// size on the way. It works in place, one block at a time (read block i under the old nonce,
/// seal it under the new one, write it back at the same offset), so memory stays at two 64 KiB
/// buffers, but it reads and writes the whole file: O(file size) per call.
/// </summary>
public sealed partial class CryptFileSystem
{
    private async ValueTask RewriteLockedAsync(CryptNode state, ulong node, ulong handle, long newSize, long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        byte[] oldNonce = state.Nonce ?? throw new InvalidOperationException("rewrite before the header was read");
        long oldSize = state.Size;
        long oldSealed = state.Sealed;
        byte[] newNonce = CryptContent.CreateFileNonce();
        byte[] header = new byte[CryptLayout.HeaderSize];
        CryptContent.WriteHeader(newNonce, header);

        byte[] plain = ArrayPool<byte>.Shared.Rent(CryptLayout.BlockDataSize);
        byte[] cipher = ArrayPool<byte>.Shared.Rent(CryptLayout.BlockSize);
        try
        {
            // Block i is read (old nonce) before it is overwritten (new nonce). A block that fails to
            // authenticate stops the rewrite with EIO; blocks before it are then under the new nonce
            // while the header may still hold the old one: only a file that was already damaged gets there.
            long blocks = CryptLayout.BlockCount(newSize);
            bool partialLast = newSize % CryptLayout.BlockDataSize != 0;
            for (long i = 0; i < blocks; i++)
            {
                int length = CryptLayout.PlainBlockLength(i, newSize);
                plain.AsSpan(0, CryptLayout.BlockDataSize).Clear();
                await ReadOldBlockLockedAsync(state, node, handle, oldNonce, oldSize, oldSealed, i, plain, ct).ConfigureAwait(false);
                Overlay(i, length, offset, data.Span, plain);
                if (i == blocks - 1 && partialLast)
                {
                    // The short last block stays in memory, so further appends do not force another rewrite.
                    state.Tail ??= new byte[CryptLayout.BlockDataSize];
                    plain.AsSpan(0, length).CopyTo(state.Tail);
                    state.TailLength = length;
                    continue;
                }

                int n = CryptContent.EncryptBlock(_keys, newNonce, i, plain.AsSpan(0, length), cipher);
                if (i == 0)
                {
                    await WriteStoredAsync(node, handle, 0, header, ct).ConfigureAwait(false);
                }

                await WriteStoredAsync(node, handle, CryptLayout.CipherOffsetOfBlock(i), cipher.AsMemory(0, n), ct).ConfigureAwait(false);
            }

            if (blocks == 0 || (blocks == 1 && partialLast))
            {
                await WriteStoredAsync(node, handle, 0, header, ct).ConfigureAwait(false);
            }

            if (!partialLast || blocks == 0)
            {
                state.TailLength = 0;
            }

            state.Nonce = newNonce;
            state.Size = newSize;
            state.Sealed = partialLast ? blocks - 1 : blocks;
            long stored = CryptLayout.CipherOffsetOfBlock(state.Sealed);
            if (state.StoredSize > stored)
            {
                // The old short last block (or a longer old file) must not outlive the rewrite.
                await _inner.SetAttrAsync(node, new FsSetAttr(stored, null, handle), ct).ConfigureAwait(false);
            }

            state.StoredSize = stored;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain.AsSpan(0, CryptLayout.BlockDataSize));
            ArrayPool<byte>.Shared.Return(plain);
            ArrayPool<byte>.Shared.Return(cipher);
        }
    }

    /// <summary>Plaintext of old block <paramref name="block"/> (stored, or the unsealed tail), or nothing past the old end.</summary>
    private async ValueTask ReadOldBlockLockedAsync(CryptNode state, ulong node, ulong handle, byte[] oldNonce, long oldSize, long oldSealed, long block, byte[] plain, CancellationToken ct)
    {
        int oldLength = CryptLayout.PlainBlockLength(block, oldSize);
        if (oldLength == 0)
        {
            return;
        }

        if (block >= oldSealed)
        {
            state.Tail.AsSpan(0, oldLength).CopyTo(plain);
            return;
        }

        byte[] cipher = ArrayPool<byte>.Shared.Rent(CryptLayout.BlockSize);
        try
        {
            int length = CryptLayout.CipherBlockLength(block, oldSize);
            int got = await ReadStoredAsync(node, handle, CryptLayout.CipherOffsetOfBlock(block), cipher.AsMemory(0, length), ct).ConfigureAwait(false);
            if (got < length)
            {
                throw ReadFailure(node, block, "the stored file is shorter than its size says");
            }

            try
            {
                CryptContent.DecryptBlock(_keys, oldNonce, block, cipher.AsSpan(0, length), plain);
            }
            catch (CryptException)
            {
                throw ReadFailure(node, block, "it does not authenticate, so the file cannot be rewritten");
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(cipher);
        }
    }

    /// <summary>Copies the part of the write [offset, offset + data.Length) that falls into block <paramref name="block"/>.</summary>
    private static void Overlay(long block, int length, long offset, ReadOnlySpan<byte> data, Span<byte> plain)
    {
        long blockStart = CryptLayout.PlainOffsetOfBlock(block);
        long from = Math.Max(offset, blockStart);
        long to = Math.Min(offset + data.Length, blockStart + length);
        if (from < to)
        {
            data.Slice((int)(from - offset), (int)(to - from)).CopyTo(plain[(int)(from - blockStart)..]);
        }
    }
}
