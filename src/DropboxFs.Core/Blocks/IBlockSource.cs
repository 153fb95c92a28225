namespace DropboxFs.Core.Blocks;

/// <summary>Where missing bytes come from: a ranged download of exactly one file version.</summary>
internal interface IBlockSource
{
    /// <summary>
    /// Opens a stream of bytes [start, end) of <paramref name="version"/>. Must fail (never return
    /// other bytes) when the server no longer has that exact version.
    /// </summary>
    Task<Stream> OpenRangeAsync(CachedVersion version, long start, long end, CancellationToken ct);
}
