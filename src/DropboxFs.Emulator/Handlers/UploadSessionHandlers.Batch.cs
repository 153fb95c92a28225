using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;

namespace DropboxFs.Emulator.Handlers;

/// <summary>
/// upload_session/append_batch (§5.8): one body holding the chunks of several sessions in entry
/// order. The body is first spooled to a temp file (≤150 MiB, hashed as a whole for content_hash),
/// then each slice is appended with the append_v2 rules; per-entry errors become failures.
/// </summary>
internal static partial class UploadSessionHandlers
{
    public static async Task AppendBatchAsync(ApiRequest req)
    {
        var entries = req.Args.ReqList("entries", 1000).Select(e =>
        {
            var (id, offset) = HandlerArgs.ReadCursor(e.ReqObject("cursor"));
            var length = e.ReqLong("length");
            var close = e.Bool("close");
            e.Done();
            return (Id: id, Offset: offset, Length: length, Close: close);
        }).ToList();
        var expectedHash = HandlerArgs.ReadContentHash(req.Args);
        req.Args.Done();

        var temp = req.State.Blobs.NewTempPath();
        try
        {
            long total;
            string hash;
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.Read, FileOptions.Asynchronous))
            {
                (total, hash) = await BodyStreams.ReceiveAsync(req, handle, 0, EmulatorServer.MaxUploadBody, PayloadTooLarge);
            }

            if (expectedHash != null && expectedHash != hash)
            {
                throw Errors.Route(Errors.Tag("content_hash_mismatch"));
            }

            if (entries.Sum(e => e.Length) != total)
            {
                throw Errors.Route(Errors.Tag("length_mismatch"));
            }

            var results = new JsonArray();
            long at = 0;
            await using var spool = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
            foreach (var e in entries)
            {
                spool.Seek(at, SeekOrigin.Begin);
                at += e.Length;
                try
                {
                    await AppendCoreAsync(req, e.Id, e.Offset, e.Close, null, null, new SliceStream(spool, e.Length));
                    results.Add(Errors.Tag("success"));
                }
                catch (ApiException x) when (x.Status == 409 && x.Error != null)
                {
                    results.Add(Errors.Nest("failure", x.Error.DeepClone()));
                }
            }

            await req.OkAsync(new JsonObject { ["entries"] = results });
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Reads at most <c>length</c> bytes of an inner stream from its current position.</summary>
    private sealed class SliceStream(Stream inner, long length) : Stream
    {
        private readonly long _length = length;
        private long _left = length;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => _length;

        public override long Position { get => _length - _left; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_left <= 0)
            {
                return 0;
            }

            var n = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _left)], cancellationToken);
            _left -= n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
