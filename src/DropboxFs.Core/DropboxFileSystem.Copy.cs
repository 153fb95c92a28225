using System.Buffers;
using DropboxFs.Api;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Nodes;
using DropboxFs.Core.Sync;
using DropboxFs.Core.Uploads;

namespace DropboxFs.Core;

/// <summary>
/// copy_file_range. `cp a b` inside the mount sends one COPY_FILE_RANGE for the whole file (reference
/// fuse-and-winfsp.md §7): when <c>a</c> is unchanged and <c>b</c> was just created here, that becomes one
/// server-side copy_v2 and no byte crosses the network. Everything else is copied here, read + write, rather
/// than answered EOPNOTSUPP/EXDEV: the kernel's generic fallback for FUSE is not the same on every version,
/// and coreutils' own fallback after an error differs between releases, while a copy here always works.
/// </summary>
public sealed partial class DropboxFileSystem
{
    private const int CopyChunk = 1 << 20;

    public async ValueTask<long> CopyFileRangeAsync(
        ulong nodeIn, ulong handleIn, long offsetIn, ulong nodeOut, ulong handleOut, long offsetOut, long length, CancellationToken ct)
    {
        var output = GetWriteHandle(nodeOut, handleOut);
        _ = RequireWritable<IWritableFile>(output.Node);
        var input = _writeHandles.TryGetValue(handleIn, out var w) && w.Node.NodeId == nodeIn ? w.Node : GetHandle(nodeIn, handleIn).Node;
        if (offsetIn < 0 || offsetOut < 0 || length < 0)
        {
            throw new FsException(FsError.InvalidArgument);
        }

        if (length == 0)
        {
            return 0;
        }

        if (offsetIn == 0 && offsetOut == 0 && await TryServerCopyAsync(input, output, length, ct).ConfigureAwait(false) is { } copied)
        {
            return copied;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(CopyChunk);
        try
        {
            long total = 0;
            while (total < length)
            {
                var n = await ReadAsync(nodeIn, handleIn, offsetIn + total, buffer.AsMemory(0, (int)Math.Min(CopyChunk, length - total)), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                await WriteAsync(nodeOut, handleOut, offsetOut + total, buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                total += n;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>copy_v2 when the whole of an unchanged server file goes into an empty file created here; null when
    /// that does not apply (or the server refused), so the caller copies the bytes itself.</summary>
    private async ValueTask<long?> TryServerCopyAsync(Node input, WriteHandle output, long length, CancellationToken ct)
    {
        var source = input.Entry;
        var key = _nodes.GetKey(input);
        var outKey = _nodes.GetKey(output.Node);
        var outEntry = outKey is null ? null : _entries.Get(outKey);
        if (key is null || outKey is null || source.Kind != FsNodeKind.File || LocalIds.IsLocal(source.Id) || source.Rev is null
            || source.Size == 0 || length < source.Size || _local.ContainsKey(key)
            || outEntry is null || !LocalIds.IsLocal(outEntry.Id) || output.Writer is not { Length: 0 } emptyWriter)
        {
            return null;
        }

        // The empty new file's job goes (it would race the copy); the handle gets a writer on the copy instead.
        var path = output.Local.Path;
        await Queue.CancelAsync(outKey, ct).ConfigureAwait(false);
        Api.Metadata? copy = null;
        try
        {
            copy = await RemoteAsync("files/copy_v2", c => c.CopyAsync(key, path, ct: ct), ct).ConfigureAwait(false);
        }
        catch (FsException e) when (e.Error is not FsError.Interrupted)
        {
            copy = null; // refused (e.g. a file appeared there meanwhile): copied byte by byte below
        }

        var landed = copy is FileMetadata file ? RemoteEntries.ToChange(file) : default;
        if (landed.Entry is { } entry)
        {
            _nodes.AdoptCommittedId(entry);
            await _applier.ApplyLocalAsync([landed], ct).ConfigureAwait(false);
        }

        await _writeGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var writeBase = landed.Entry is { } e2 ? new WriteBase(e2.Rev!, e2.Size, e2.ContentHash) : null;
            var writer = await Queue.OpenForWriteAsync(path, writeBase, truncate: false, ct).ConfigureAwait(false);
            output.Writer = writer;
            output.Local.Writer = writer;
            _local[outKey] = output.Local;
        }
        finally
        {
            _writeGate.Release();
        }

        await emptyWriter.ReleaseAsync(CancellationToken.None).ConfigureAwait(false); // cancelled: discarded
        return landed.Entry is null ? null : source.Size;
    }
}
