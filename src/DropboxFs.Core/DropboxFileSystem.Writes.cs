using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Uploads;

namespace DropboxFs.Core;

/// <summary>The write path: the upload queue behind every writable mount (see Uploads/README.md).</summary>
public sealed partial class DropboxFileSystem
{
    /// <summary>The upload queue (status, drain at unmount); null on read-only mounts.</summary>
    public UploadQueue? Uploads { get; private set; }

    private async Task OpenUploadsAsync(CancellationToken ct)
    {
        if (_options.ReadOnly)
        {
            return;
        }

        Uploads = await UploadQueue.OpenAsync(_client, new UploadQueueOptions
        {
            StateDirectory = _options.StateDirectory!,
            WriteBackDelay = _options.WriteBackDelay,
            SyncUploads = _options.SyncUploads,
            TimeProvider = _time,
            LoggerFactory = _options.LoggerFactory,
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Dispose: writers still open (the kernel never sent RELEASE) are made durable first.</summary>
    private static Task ReleaseWritersAsync() => Task.CompletedTask;

    public ValueTask<long> CopyFileRangeAsync(
        ulong nodeIn, ulong handleIn, long offsetIn, ulong nodeOut, ulong handleOut, long offsetOut, long length, CancellationToken ct)
    {
        GetHandle(nodeIn, handleIn);
        var output = GetHandle(nodeOut, handleOut);
        _ = RequireWritable<Nodes.IWritableFile>(output.Node);
        throw new FsException(FsError.NotSupported);
    }
}
