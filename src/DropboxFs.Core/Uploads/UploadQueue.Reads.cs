using DropboxFs.Core.Metadata;

namespace DropboxFs.Core.Uploads;

/// <summary>Reads of a file whose newest content is still pending: until the commit lands (and the
/// facade learns the new rev through OnCommitted), a read after close must see the staged bytes.</summary>
public sealed partial class UploadQueue
{
    /// <summary>Reads the newest pending content of <paramref name="path"/>: an open writer's, else the
    /// newest row's staging. Null when nothing is pending (read the committed rev instead).</summary>
    public async Task<int?> ReadPendingAsync(string path, long offset, Memory<byte> buffer, CancellationToken ct = default)
    {
        var key = PathKey.Normalize(path);
        UploadWriter? writer;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _writers.TryGetValue(key, out writer);
        }
        finally
        {
            _gate.Release();
        }

        if (writer is not null)
        {
            try
            {
                return await writer.ReadAsync(offset, buffer, ct).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                // Released meanwhile: its row (below) now holds the same bytes.
            }
        }

        var job = _journal.Jobs.ForKey(key).LastOrDefault();
        if (job is null)
        {
            return null;
        }

        StagingFile staging;
        try
        {
            staging = StagingFile.Open(StagingPath(job.Staging), job.Size, job.SourceLength, job.Ranges, create: false);
        }
        catch (FileNotFoundException)
        {
            return null; // committed between the lookup and the open
        }

        using (staging)
        {
            return await staging.ReadThroughAsync(offset, buffer, job.SourceRev, _baseReader, ct).ConfigureAwait(false);
        }
    }
}
