using DropboxFs.Api;

namespace DropboxFs.Core.Blocks;

/// <summary>
/// Ranged downloads for the block cache. Files are fetched by "rev:&lt;rev&gt;", so the bytes always belong
/// to the cached version even if the file changed since; the answer's rev/content_hash is checked anyway.
/// </summary>
internal sealed class DropboxBlockSource(DropboxClient client, ApiCallCounter calls) : IBlockSource
{
    public static string RemotePathFor(string? id, string? rev, string key) =>
        rev is { Length: > 0 } ? "rev:" + rev : id ?? key;

    public async Task<Stream> OpenRangeAsync(CachedVersion version, long start, long end, CancellationToken ct)
    {
        calls.Count("files/download");
        var response = await client.OpenDownloadAsync(version.RemotePath, start, end - start, ct).ConfigureAwait(false);
        var meta = response.Metadata;
        var same = version.Rev is not null ? meta.Rev == version.Rev
            : version.ContentHash is null || string.Equals(meta.ContentHash, version.ContentHash, StringComparison.OrdinalIgnoreCase);
        if (!same || meta.Size != version.Size)
        {
            await response.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException($"{version.RemotePath} is no longer the cached version (rev {meta.Rev}, size {meta.Size})");
        }

        return new ResponseStream(response);
    }

    /// <summary>The body stream; disposing it releases the whole response.</summary>
    private sealed class ResponseStream(DownloadResponse response) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => response.Content.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            response.Content.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            response.Content.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await response.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
