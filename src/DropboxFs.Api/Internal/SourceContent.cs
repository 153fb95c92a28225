using System.Net;

namespace DropboxFs.Api;

/// <summary>A request body taken from a caller-owned stream: <c>length</c> bytes from the position the stream had
/// when this was created. Each <see cref="CreateContent"/> yields a fresh HttpContent for one attempt; a seekable
/// source is rewound for every attempt, a forward-only source can be sent only once. Never disposes the source.</summary>
internal sealed class UploadBody(Stream source, long? length)
{
    private readonly Stream _source = source;
    private readonly long? _length = length;
    private readonly long _start = source.CanSeek ? source.Position : -1;
    private int _attempts;

    public HttpContent CreateContent() => new SourceContent(this);

    private sealed class SourceContent(UploadBody body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var src = body._source;
            if (Interlocked.Increment(ref body._attempts) > 1)
            {
                if (!src.CanSeek)
                {
                    throw new InvalidOperationException("The upload source is not seekable, so a failed request cannot be repeated");
                }
            }
            if (src.CanSeek)
            {
                src.Position = body._start;
            }
            var buffer = new byte[(int)Math.Min(256 * 1024, Math.Max(1, body._length ?? 256 * 1024))];
            var left = body._length ?? long.MaxValue;
            while (left > 0)
            {
                var n = await src.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                await stream.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                left -= n;
            }
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = body._length ?? -1;
            return body._length is not null;
        }
    }
}
