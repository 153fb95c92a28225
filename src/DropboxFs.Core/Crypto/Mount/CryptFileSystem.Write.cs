using System.Buffers;
using System.Security.Cryptography;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Crypto.Mount;

/// <summary>
/// Writes, encrypted as the application writes: appends fill a 64 KiB plaintext tail per open
/// file; each full block is sealed and written to the inner file at its stored offset, so the
/// inner upload streams ciphertext. Flush, fsync and release seal the partial tail. A write that
/// would seal an already sealed block index again (a write into the middle, an append to a sealed
/// short last block, a truncate) re-encrypts the whole file under a fresh nonce instead: rclone
/// uses one nonce per file, and sealing two different plaintexts under one block nonce reuses the
/// Poly1305 key, which lets whoever sees both versions (Dropbox keeps revisions) forge that block.
/// </summary>
public sealed partial class CryptFileSystem
{
    public async ValueTask<int> WriteAsync(ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var state = GetOpen(node, handle);
        if (offset < 0)
        {
            throw new FsException(FsError.InvalidArgument);
        }

        if (!IsWriteHandle(state, handle))
        {
            throw new FsException(FsError.BadHandle, "the file was opened read-only");
        }

        await state.Lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await WriteLockedAsync(state, node, handle, offset, data, ct).ConfigureAwait(false);
            return data.Length;
        }
        finally
        {
            state.Lock.Release();
        }
    }

    public async ValueTask<FsAttributes> SetAttrAsync(ulong node, FsSetAttr change, CancellationToken ct)
    {
        if (change.Size is not long size)
        {
            return await GetPlainAfterAsync(node, await _inner.SetAttrAsync(node, change, ct).ConfigureAwait(false)).ConfigureAwait(false);
        }

        if (size < 0)
        {
            throw new FsException(FsError.InvalidArgument);
        }

        // truncate(2) on a path comes without a handle (or with a read-only one): open one for the duration.
        bool own = change.Handle is not ulong given || !_handleNodes.TryGetValue(given, out ulong owner) || owner != node
            || Find(node) is not { } open || !IsWriteHandle(open, given);
        ulong handle = own ? (await OpenAsync(node, FsOpenFlags.Read | FsOpenFlags.Write, ct).ConfigureAwait(false)).Handle : change.Handle!.Value;
        try
        {
            var state = GetOpen(node, handle);
            await state.Lock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await TruncateLockedAsync(state, node, handle, size, ct).ConfigureAwait(false);
            }
            finally
            {
                state.Lock.Release();
            }
        }
        finally
        {
            if (own)
            {
                await ReleaseAsync(node, handle).ConfigureAwait(false);
            }
        }

        var rest = change with { Size = null, Handle = null };
        var inner = rest.ModifiedTime is null
            ? await _inner.GetAttrAsync(node, ct).ConfigureAwait(false)
            : await _inner.SetAttrAsync(node, rest, ct).ConfigureAwait(false);
        return inner with { Size = size };
    }

    private async ValueTask<FsAttributes> GetPlainAfterAsync(ulong node, FsAttributes inner) =>
        await PlainAttributesAsync(node, inner).ConfigureAwait(false);

    private async ValueTask WriteLockedAsync(CryptNode state, ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (state.Nonce is null)
        {
            // A zero-byte stored file has no header yet.
            await StartEmptyLockedAsync(state, node, handle, ct).ConfigureAwait(false);
        }

        if (offset >= state.Size && CanAppendLocked(state))
        {
            await AppendZerosLockedAsync(state, node, handle, offset - state.Size, ct).ConfigureAwait(false);
            await AppendLockedAsync(state, node, handle, data, ct).ConfigureAwait(false);
            return;
        }

        await RewriteLockedAsync(state, node, handle, Math.Max(state.Size, offset + data.Length), offset, data, ct).ConfigureAwait(false);
    }

    private async ValueTask TruncateLockedAsync(CryptNode state, ulong node, ulong handle, long size, CancellationToken ct)
    {
        if (size == state.Size && state.Nonce is not null)
        {
            return;
        }

        if (size == 0)
        {
            await _inner.SetAttrAsync(node, new FsSetAttr(0, null, handle), ct).ConfigureAwait(false);
            await StartEmptyLockedAsync(state, node, handle, ct).ConfigureAwait(false);
        }
        else if (state.Nonce is not null && size > state.Size && CanAppendLocked(state))
        {
            await AppendZerosLockedAsync(state, node, handle, size - state.Size, ct).ConfigureAwait(false);
        }
        else
        {
            if (state.Nonce is null)
            {
                await StartEmptyLockedAsync(state, node, handle, ct).ConfigureAwait(false);
            }

            await RewriteLockedAsync(state, node, handle, size, 0, ReadOnlyMemory<byte>.Empty, ct).ConfigureAwait(false);
        }
    }

    /// <summary>True when appending seals only block indexes never sealed under the current nonce.</summary>
    private static bool CanAppendLocked(CryptNode state) =>
        state.Size == (state.Sealed * CryptLayout.BlockDataSize) + state.TailLength;

    /// <summary>An empty file: a fresh nonce and the 32-byte header, nothing else.</summary>
    private async ValueTask StartEmptyLockedAsync(CryptNode state, ulong node, ulong handle, CancellationToken ct)
    {
        byte[] nonce = CryptContent.CreateFileNonce();
        byte[] header = new byte[CryptLayout.HeaderSize];
        CryptContent.WriteHeader(nonce, header);
        await WriteStoredAsync(node, handle, 0, header, ct).ConfigureAwait(false);
        state.Clear();
        state.Nonce = nonce;
        state.Size = 0;
        state.Sealed = 0;
        state.StoredSize = CryptLayout.HeaderSize;
        state.Loaded = true;
    }

    private async ValueTask AppendLockedAsync(CryptNode state, ulong node, ulong handle, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (!data.IsEmpty)
        {
            state.Tail ??= new byte[CryptLayout.BlockDataSize];
            int n = Math.Min(data.Length, CryptLayout.BlockDataSize - state.TailLength);
            data.Span[..n].CopyTo(state.Tail.AsSpan(state.TailLength));
            state.TailLength += n;
            state.Size += n;
            data = data[n..];
            if (state.TailLength == CryptLayout.BlockDataSize)
            {
                await SealTailLockedAsync(state, node, handle, ct).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask AppendZerosLockedAsync(CryptNode state, ulong node, ulong handle, long count, CancellationToken ct)
    {
        byte[] zeros = new byte[(int)Math.Min(count, CryptLayout.BlockDataSize)];
        for (long left = count; left > 0; left -= zeros.Length)
        {
            await AppendLockedAsync(state, node, handle, zeros.AsMemory(0, (int)Math.Min(left, zeros.Length)), ct).ConfigureAwait(false);
        }
    }

    /// <summary>Seals the plaintext tail as block <see cref="CryptNode.Sealed"/> and writes it at its stored offset.</summary>
    private async ValueTask SealTailLockedAsync(CryptNode state, ulong node, ulong handle, CancellationToken ct)
    {
        if (state.TailLength == 0)
        {
            return;
        }

        byte[] cipher = ArrayPool<byte>.Shared.Rent(CryptLayout.BlockSize);
        try
        {
            int n = CryptContent.EncryptBlock(_keys, state.Nonce, state.Sealed, state.Tail.AsSpan(0, state.TailLength), cipher);
            long at = CryptLayout.CipherOffsetOfBlock(state.Sealed);
            await WriteStoredAsync(node, handle, at, cipher.AsMemory(0, n), ct).ConfigureAwait(false);
            state.StoredSize = Math.Max(state.StoredSize, at + n);
            state.Sealed++;
            CryptographicOperations.ZeroMemory(state.Tail.AsSpan(0, state.TailLength));
            state.TailLength = 0;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(cipher);
        }
    }

    /// <summary>
    /// Seals the tail (flush, fsync, release). On the release of the last writer the shared state is
    /// also forgotten (<paramref name="releasing"/>): the next opens read the stored file afresh, which
    /// may by then be a newer version from elsewhere.
    /// </summary>
    private async ValueTask SealIfWriterAsync(ulong node, ulong handle, CancellationToken ct, bool releasing = false)
    {
        var state = GetOpen(node, handle);
        if (!IsWriteHandle(state, handle))
        {
            return;
        }

        await state.Lock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await SealTailLockedAsync(state, node, handle, ct).ConfigureAwait(false);
            lock (_nodesLock)
            {
                // Under the table lock: a writer opening now is either counted here or loads afresh.
                if (releasing && state.WriteHandles.Count == 1)
                {
                    state.Writable = false;
                    state.Loaded = false;
                    state.Clear();
                }
            }
        }
        finally
        {
            state.Lock.Release();
        }
    }

    private async ValueTask WriteStoredAsync(ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        int n = await _inner.WriteAsync(node, handle, offset, data, ct).ConfigureAwait(false);
        if (n != data.Length)
        {
            throw new FsException(FsError.IoError, $"the inner file took {n} of {data.Length} encrypted bytes");
        }
    }
}
