using System.Buffers;
using System.Security.Cryptography;

namespace DropboxFs.Api;

/// <summary>Dropbox content_hash: SHA-256 over the concatenated raw SHA-256 digests of 4 MiB blocks, lower-case
/// hex. An empty input has zero blocks, so its hash is SHA-256("") (not SHA-256(SHA-256(""))). Incremental:
/// call <see cref="Append"/> any number of times, then <see cref="Finish"/>.</summary>
public sealed class ContentHash : IDisposable
{
    /// <summary>4,194,304 bytes: the Dropbox block size.</summary>
    public const int BlockSize = 4 * 1024 * 1024;

    private readonly IncrementalHash _overall;
    private readonly IncrementalHash _block;
    private int _inBlock;
    private bool _finished;
    private bool _sealed; // a partial last block was added as a digest: no more data may follow

    /// <summary>Creates an empty hasher.</summary>
    public ContentHash()
        : this(IncrementalHash.CreateHash(HashAlgorithmName.SHA256), IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
    {
    }

    private ContentHash(IncrementalHash overall, IncrementalHash block)
    {
        _overall = overall;
        _block = block;
    }

    /// <summary>Feeds bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_sealed && !data.IsEmpty)
        {
            throw new InvalidOperationException("Data after a final partial block");
        }
        while (!data.IsEmpty)
        {
            var take = Math.Min(data.Length, BlockSize - _inBlock);
            _block.AppendData(data[..take]);
            _inBlock += take;
            data = data[take..];
            if (_inBlock == BlockSize)
            {
                FlushBlock();
            }
        }
    }

    /// <summary>Returns the 64-character lower-case hex hash; the hasher cannot be used afterwards.</summary>
    public string Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_inBlock > 0)
        {
            FlushBlock();
        }
        _finished = true;
        return Convert.ToHexStringLower(_overall.GetHashAndReset());
    }

    /// <summary>Hash of a byte span.</summary>
    public static string Compute(ReadOnlySpan<byte> data)
    {
        using var hasher = new ContentHash();
        hasher.Append(data);
        return hasher.Finish();
    }

    /// <summary>Hashes a stream from its current position to its end (1 MiB pooled buffer, no whole-file buffer).</summary>
    public static async Task<string> ComputeAsync(Stream stream, CancellationToken ct = default)
    {
        using var hasher = new ContentHash();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hasher.Append(buffer.AsSpan(0, n));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return hasher.Finish();
    }

    /// <summary>Hashes a local file.</summary>
    public static async Task<string> ComputeFileAsync(string path, CancellationToken ct = default)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await ComputeAsync(file, ct).ConfigureAwait(false);
    }

    /// <summary>Hashes <paramref name="data"/> as a standalone content (its own content_hash) and writes the 32-byte
    /// digest of each of its 4 MiB blocks to <paramref name="digests"/> (length = 32 × block count).</summary>
    internal static string ComputeWithBlockDigests(ReadOnlySpan<byte> data, Span<byte> digests)
    {
        var blocks = BlockCount(data.Length);
        for (var i = 0; i < blocks; i++)
        {
            var block = data.Slice(i * BlockSize, Math.Min(BlockSize, data.Length - i * BlockSize));
            SHA256.HashData(block, digests.Slice(i * 32, 32));
        }
        return Convert.ToHexStringLower(SHA256.HashData(digests[..(blocks * 32)]));
    }

    internal static int BlockCount(int length) => (length + BlockSize - 1) / BlockSize;

    /// <summary>Adds block digests computed elsewhere. Valid only on a block boundary; when the last digest is of a
    /// short block (<paramref name="endsWithPartialBlock"/>) nothing may be appended afterwards.</summary>
    internal void AppendBlockDigests(ReadOnlySpan<byte> digests, bool endsWithPartialBlock)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        if (_inBlock != 0 || _sealed)
        {
            throw new InvalidOperationException("Block digests can only be added on a block boundary");
        }
        _overall.AppendData(digests);
        _sealed = endsWithPartialBlock;
    }

    /// <summary>An independent copy of the current state (to hash a tentative continuation).</summary>
    internal ContentHash Clone()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var copy = new ContentHash(_overall.Clone(), _block.Clone()) { _inBlock = _inBlock, _sealed = _sealed };
        return copy;
    }

    /// <summary>True when the bytes so far end on a 4 MiB boundary (block digests may be added).</summary>
    internal bool IsOnBlockBoundary => _inBlock == 0 && !_sealed;

    private void FlushBlock()
    {
        Span<byte> digest = stackalloc byte[32];
        _block.GetHashAndReset(digest);
        _overall.AppendData(digest);
        _inBlock = 0;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _finished = true;
        _overall.Dispose();
        _block.Dispose();
    }
}
