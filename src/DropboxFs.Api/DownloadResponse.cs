namespace DropboxFs.Api;

/// <summary>An open download: the file's metadata (of the whole file, whatever the range) and the response body,
/// streamed from the network. Dispose it to release the connection.</summary>
public sealed class DownloadResponse : IAsyncDisposable, IDisposable
{
    private readonly HttpResponseMessage? _response;

    internal DownloadResponse(FileMetadata metadata, Stream content, long offset, long? contentLength, HttpResponseMessage? response)
    {
        Metadata = metadata;
        Content = content;
        Offset = offset;
        ContentLength = contentLength;
        _response = response;
    }

    /// <summary>Metadata of the whole file (size = total size, rev and content_hash of that version).</summary>
    public FileMetadata Metadata { get; }
    /// <summary>The bytes from <see cref="Offset"/> on (at most the requested length). Read it once, sequentially.</summary>
    public Stream Content { get; }
    /// <summary>Position of the first byte of <see cref="Content"/> within the file.</summary>
    public long Offset { get; }
    /// <summary>Number of bytes <see cref="Content"/> will yield, when known.</summary>
    public long? ContentLength { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Content.Dispose();
        _response?.Dispose();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Content.DisposeAsync().ConfigureAwait(false);
        _response?.Dispose();
    }
}
