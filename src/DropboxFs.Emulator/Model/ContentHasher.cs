using System.Security.Cryptography;

namespace DropboxFs.Emulator.Model;

/// <summary>
/// Dropbox content_hash (reference §4): SHA-256 over the concatenated SHA-256 digests of 4 MiB
/// blocks, lower-case hex. Streaming: feed any chunk sizes.
/// </summary>
internal sealed class ContentHasher : IDisposable
{
    public const int BlockSize = 4 * 1024 * 1024;

    private readonly IncrementalHash _block = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly IncrementalHash _overall = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _inBlock;

    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        Length += data.Length;
        while (data.Length > 0)
        {
            var take = Math.Min(BlockSize - _inBlock, data.Length);
            _block.AppendData(data[..take]);
            _inBlock += take;
            data = data[take..];
            if (_inBlock == BlockSize)
            {
                FlushBlock();
            }
        }
    }

    public string Finish()
    {
        if (_inBlock > 0)
        {
            FlushBlock();
        }

        return Convert.ToHexStringLower(_overall.GetHashAndReset());
    }

    public static string Compute(ReadOnlySpan<byte> data)
    {
        using var h = new ContentHasher();
        h.Append(data);
        return h.Finish();
    }

    public static async Task<string> ComputeAsync(Stream stream, CancellationToken ct)
    {
        using var h = new ContentHasher();
        var buffer = new byte[256 * 1024];
        int n;
        while ((n = await stream.ReadAsync(buffer, ct)) > 0)
        {
            h.Append(buffer.AsSpan(0, n));
        }

        return h.Finish();
    }

    private void FlushBlock()
    {
        Span<byte> digest = stackalloc byte[32];
        _block.GetHashAndReset(digest);
        _overall.AppendData(digest);
        _inBlock = 0;
    }

    public void Dispose()
    {
        _block.Dispose();
        _overall.Dispose();
    }
}
