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

    private readonly IncrementalHash _overall = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _block = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _inBlock;
    private bool _finished;

    /// <summary>Feeds bytes.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
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
