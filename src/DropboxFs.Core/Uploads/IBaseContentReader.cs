using DropboxFs.Api;

namespace DropboxFs.Core.Uploads;

/// <summary>Supplies bytes of an existing rev to fill the ranges a writer did not touch. The facade plugs
/// in the block cache; <see cref="DropboxBaseContentReader"/> downloads directly (also after a restart,
/// when nothing is cached).</summary>
public interface IBaseContentReader
{
    /// <summary>Writes exactly <paramref name="length"/> bytes of <paramref name="rev"/> starting at
    /// <paramref name="offset"/> into <paramref name="destination"/>.</summary>
    Task CopyRangeAsync(string rev, long offset, long length, Stream destination, CancellationToken ct);
}

/// <summary>Ranged downloads of <c>rev:…</c> (resumes a broken body from the first missing byte).</summary>
public sealed class DropboxBaseContentReader(DropboxClient client) : IBaseContentReader
{
    public async Task CopyRangeAsync(string rev, long offset, long length, Stream destination, CancellationToken ct)
    {
        if (length > 0)
        {
            await client.DownloadAsync("rev:" + rev, destination, offset, length, ct).ConfigureAwait(false);
        }
    }
}
