using System.Buffers;
using System.Security.Cryptography;
using DropboxFs.Core.FileSystem;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Crypto.Mount;

/// <summary>
/// Open, read, release. A read maps the plaintext range to whole stored blocks, reads exactly
/// those from the inner facade (its block cache holds ciphertext), authenticates and decrypts
/// them in memory, and copies out the requested bytes. A block that fails to authenticate, or a
/// stored file shorter than its size says, fails the read with EIO: never wrong bytes.
/// </summary>
public sealed partial class CryptFileSystem
{
    public async ValueTask<FsOpenResult> OpenAsync(ulong node, FsOpenFlags flags, CancellationToken ct)
    {
        bool writable = (flags & (FsOpenFlags.Write | FsOpenFlags.Truncate | FsOpenFlags.Append)) != 0;
        var open = await _inner.OpenAsync(node, InnerFlags(flags), ct).ConfigureAwait(false);
        var state = Track(node, open.Handle, writable);
        try
        {
            if (!writable && !state.Writable)
            {
                // A reader of a file nobody writes gets its own view, read from the version its inner
                // handle pins: a later open may see a newer version with another nonce and size.
                var view = new CryptNode();
                await LoadLockedAsync(view, node, open.Handle, ct).ConfigureAwait(false);
                _views[open.Handle] = view;
            }
            else
            {
                await OpenSharedAsync(state, node, open.Handle, flags, ct).ConfigureAwait(false);
            }
        }
        catch (FsException)
        {
            Untrack(node, open.Handle);
            await _inner.ReleaseAsync(node, open.Handle).ConfigureAwait(false);
            throw;
        }

        // A fresh record on purpose: whatever else the inner open offers (a passthrough backing
        // file of ciphertext) must not reach the kernel.
        return new FsOpenResult(open.Handle, open.KeepCache);
    }

    public async ValueTask<int> ReadAsync(ulong node, ulong handle, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        if (offset < 0)
        {
            throw new FsException(FsError.InvalidArgument);
        }

        var state = GetOpen(node, handle);
        if (_views.TryGetValue(handle, out var view))
        {
            // Nonce and size are fixed for this handle: no lock.
            return await ReadLockedAsync(view, node, handle, offset, buffer, ct).ConfigureAwait(false);
        }

        await state.Lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (!state.Loaded)
            {
                // This reader opened while a writer had the file; the writer has since released it.
                await LoadLockedAsync(state, node, handle, ct).ConfigureAwait(false);
            }

            return await ReadLockedAsync(state, node, handle, offset, buffer, ct).ConfigureAwait(false);
        }
        finally
        {
            state.Lock.Release();
        }
    }

    public async ValueTask FlushAsync(ulong node, ulong handle, CancellationToken ct)
    {
        await SealIfWriterAsync(node, handle, ct).ConfigureAwait(false);
        await _inner.FlushAsync(node, handle, ct).ConfigureAwait(false);
    }

    public async ValueTask FsyncAsync(ulong node, ulong handle, CancellationToken ct)
    {
        await SealIfWriterAsync(node, handle, ct).ConfigureAwait(false);
        await _inner.FsyncAsync(node, handle, ct).ConfigureAwait(false);
    }

    public async ValueTask ReleaseAsync(ulong node, ulong handle)
    {
        try
        {
            await SealIfWriterAsync(node, handle, CancellationToken.None, releasing: true).ConfigureAwait(false);
        }
        finally
        {
            Untrack(node, handle);
            await _inner.ReleaseAsync(node, handle).ConfigureAwait(false);
        }
    }

    /// <summary>The state shared by the writers of a node (and readers that opened while one writes).</summary>
    private async ValueTask OpenSharedAsync(CryptNode state, ulong node, ulong handle, FsOpenFlags flags, CancellationToken ct)
    {
        await state.Lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (flags.HasFlag(FsOpenFlags.Truncate))
            {
                await StartEmptyLockedAsync(state, node, handle, ct).ConfigureAwait(false);
            }
            else if (!state.Loaded)
            {
                await LoadLockedAsync(state, node, handle, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            state.Lock.Release();
        }
    }

    /// <summary>
    /// Flags for the inner open: a write-only open is read-write underneath (rewrites read back), and
    /// O_APPEND is not passed on: the application appends plaintext, while this layer writes the
    /// header and blocks at offsets of its own (the kernel already gives appends the end offset).
    /// </summary>
    private static FsOpenFlags InnerFlags(FsOpenFlags flags) =>
        (flags & (FsOpenFlags.Write | FsOpenFlags.Truncate)) != 0 ? (flags | FsOpenFlags.Read | FsOpenFlags.Write) & ~FsOpenFlags.Append : flags;

    private async ValueTask<int> ReadLockedAsync(CryptNode state, ulong node, ulong handle, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        long size = state.Size;
        if (offset >= size || buffer.Length == 0)
        {
            return 0;
        }

        var range = CryptLayout.GetCipherRange(offset, buffer.Length, size);
        long lastBlock = range.FirstBlock + range.BlockCount - 1;
        bool lastInTail = state.TailLength > 0 && lastBlock == state.Sealed;
        long storedBlocks = range.BlockCount - (lastInTail ? 1 : 0);
        int cipherLength = (int)(lastInTail ? storedBlocks * CryptLayout.BlockSize : range.CipherLength);
        byte[] cipher = ArrayPool<byte>.Shared.Rent(Math.Max(cipherLength, 1));
        try
        {
            if (storedBlocks > 0)
            {
                int got = await ReadStoredAsync(node, handle, range.CipherOffset, cipher.AsMemory(0, cipherLength), ct).ConfigureAwait(false);
                if (got < cipherLength)
                {
                    throw ReadFailure(node, range.FirstBlock + (got / CryptLayout.BlockSize), $"the stored file ends {cipherLength - got} bytes before its size says");
                }
            }

            // The common case (sequential reads at block-aligned offsets): decrypt straight into the
            // caller's buffer, skipping one copy and the clearing of a plaintext buffer.
            long wholeLength = CryptLayout.PlainOffsetOfBlock(range.FirstBlock + storedBlocks) - CryptLayout.PlainOffsetOfBlock(range.FirstBlock);
            if (!lastInTail && range.SkipInFirstBlock == 0 && range.PlainLength == Math.Min(wholeLength, size - offset))
            {
                return DecryptStored(state, node, range.FirstBlock, cipher.AsMemory(0, cipherLength), buffer);
            }

            return CopyOutThroughPlain(state, node, range, cipher.AsMemory(0, cipherLength), storedBlocks, lastInTail, buffer.Span);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(cipher);
        }
    }

    /// <summary>Decrypts whole blocks into a pooled buffer (cleared afterwards) and copies out the requested part.</summary>
    private int CopyOutThroughPlain(CryptNode state, ulong node, CipherRange range, ReadOnlyMemory<byte> cipher, long storedBlocks, bool lastInTail, Span<byte> buffer)
    {
        int plainLength = (int)(range.BlockCount * CryptLayout.BlockDataSize);
        byte[] plain = ArrayPool<byte>.Shared.Rent(plainLength);
        try
        {
            int decrypted = storedBlocks > 0 ? DecryptStored(state, node, range.FirstBlock, cipher, plain) : 0;
            if (lastInTail)
            {
                state.Tail.AsSpan(0, state.TailLength).CopyTo(plain.AsSpan(decrypted));
            }

            int n = (int)range.PlainLength;
            plain.AsSpan(range.SkipInFirstBlock, n).CopyTo(buffer);
            return n;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain.AsSpan(0, plainLength));
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    private int DecryptStored(CryptNode state, ulong node, long firstBlock, ReadOnlyMemory<byte> cipher, Memory<byte> plain)
    {
        try
        {
            // One core per READ: the kernel already sends several READs at once (async reads), so
            // each decrypts its own ≤1 MiB on its own thread-pool thread.
            return CryptContent.DecryptBlocks(_keys, state.Nonce, firstBlock, cipher, plain);
        }
        catch (CryptAuthenticationException e)
        {
            throw ReadFailure(node, e.BlockIndex, "it does not authenticate (tampered, truncated, or another key)");
        }
        catch (CryptFormatException e)
        {
            throw ReadFailure(node, firstBlock, e.Message);
        }
    }

    private FsException ReadFailure(ulong node, long block, string why)
    {
        _logger.LogWarning("Read of node {Node} failed at encrypted block {Block}: {Reason}", node, block, why);
        return new FsException(FsError.IoError, $"encrypted block {block} of node {node}: {why}");
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the stored file ends; returns the bytes read.</summary>
    private async ValueTask<int> ReadStoredAsync(ulong node, ulong handle, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await _inner.ReadAsync(node, handle, offset + total, buffer[total..], ct).ConfigureAwait(false);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>Reads the header (the nonce) and the size of an existing file.</summary>
    private async ValueTask LoadLockedAsync(CryptNode state, ulong node, ulong handle, CancellationToken ct)
    {
        long stored = (await _inner.GetAttrAsync(node, ct).ConfigureAwait(false)).Size;
        state.StoredSize = stored;
        state.Size = PlainSize(stored);
        state.Sealed = CryptLayout.BlockCount(state.Size);
        state.TailLength = 0;
        if (stored > 0)
        {
            byte[] header = new byte[CryptLayout.HeaderSize];
            int got = await ReadStoredAsync(node, handle, 0, header, ct).ConfigureAwait(false);
            byte[] nonce = new byte[CryptLayout.NonceSize];
            if (got < header.Length || !CryptContent.TryReadHeader(header, nonce))
            {
                throw ReadFailure(node, 0, "the file has no rclone crypt header (RCLONE\\0\\0), so it is not encrypted");
            }

            state.Nonce = nonce;
        }

        state.Loaded = true;
    }
}
