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

        // Disposing the body stream releases the connection and the response with it.
        return response.Content;
    }
}
