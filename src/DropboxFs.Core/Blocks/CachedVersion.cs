using Microsoft.Win32.SafeHandles;

namespace DropboxFs.Core.Blocks;

/// <summary>
/// One file version in the block cache while at least one handle has it open: its sparse cache
/// file, the ranges present, and the downloads in flight. <see cref="Gate"/> guards Present and
/// InFlight; it is never held across I/O.
/// </summary>
internal sealed class CachedVersion
{
    internal CachedVersion(string key, long size, string fileName, string filePath, string remotePath, string? rev, string? contentHash, RangeSet present)
    {
        Key = key;
        Size = size;
        FileName = fileName;
        FilePath = filePath;
        RemotePath = remotePath;
        Rev = rev;
        ContentHash = contentHash;
        Present = present;
    }

    public string Key { get; }

    public long Size { get; }

    public string FileName { get; }

    public string FilePath { get; }

    /// <summary>The Dropbox path (or id) to download from; the source pins <see cref="Rev"/>.</summary>
    public string RemotePath { get; }

    public string? Rev { get; }

    public string? ContentHash { get; }

    internal object Gate { get; } = new();

    internal RangeSet Present { get; }

    internal List<Download> InFlight { get; } = [];

    internal SafeFileHandle? Handle { get; set; }

    /// <summary>Guarded by the cache's version lock.</summary>
    internal int RefCount { get; set; }

    /// <summary>A newer rev replaced this one remotely: delete at the last release.</summary>
    internal bool Obsolete { get; set; }

    /// <summary>Cancelled at the last release: stops this version's downloads before its file closes.</summary>
    internal CancellationTokenSource Lifetime { get; } = new();

    /// <summary>Present bytes not yet written to the block_files row.</summary>
    internal bool Dirty { get; set; }
}
