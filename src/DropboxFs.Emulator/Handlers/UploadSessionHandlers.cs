using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator.Handlers;

/// <summary>
/// upload_session/* (§5.8). Sequential sessions append at their length and answer
/// incorrect_offset{correct_offset} otherwise; concurrent sessions place 4 MiB-aligned chunks
/// anywhere, in parallel. Bytes live in one session file per session until finish renames it
/// into the blob store.
/// </summary>
internal static partial class UploadSessionHandlers
{
    private const long ConcurrentChunk = ContentHasher.BlockSize;

    public static async Task StartAsync(ApiRequest req)
    {
        var close = req.Args.Bool("close");
        var type = req.Args.OptUnion("session_type", "sequential", "concurrent");
        var expectedHash = HandlerArgs.ReadContentHash(req.Args);
        req.Args.Done();
        var concurrent = type?.Tag == "concurrent";
        if (concurrent && close)
        {
            throw Errors.Route(Errors.Tag("concurrent_session_close_not_allowed"));
        }

        if (concurrent && await BodyStreams.HasBodyAsync(req.Http))
        {
            throw Errors.Route(Errors.Tag("concurrent_session_data_not_allowed"));
        }

        var session = await req.State.RunAsync(() => req.State.NewSessionLocked(concurrent, 0, false));
        var path = req.State.Blobs.SessionPath(session.Id);
        var running = concurrent ? null : new SessionHash();
        var ok = false;
        try
        {
            long length;
            string hash;
            using (var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite, FileOptions.Asynchronous))
            {
                (length, hash) = await BodyStreams.ReceiveAsync(req, handle, 0, EmulatorServer.MaxUploadBody, PayloadTooLarge,
                    hashBody: expectedHash != null, tee: running?.Hasher);
            }

            if (expectedHash != null && expectedHash != hash)
            {
                throw Errors.Route(Errors.Tag("content_hash_mismatch"));
            }

            await req.State.RunAsync(() => req.State.Sessions.Update(session with { Length = length, Closed = close }));
            if (running != null)
            {
                running.Length = length;
                req.Runtime.SessionHashers[session.Id] = running;
                running = null;
            }

            ok = true;
            await req.OkAsync(new JsonObject { ["session_id"] = session.Id });
        }
        finally
        {
            running?.Hasher.Dispose();
            if (!ok)
            {
                await req.State.RunAsync(() =>
                {
                    req.State.Sessions.Delete(session.Id);
                    req.State.Blobs.DeleteSession(session.Id);
                });
            }
        }
    }

    public static async Task AppendAsync(ApiRequest req)
    {
        var (id, offset) = HandlerArgs.ReadCursor(req.Args.ReqObject("cursor"));
        var close = req.Args.Bool("close");
        var expectedHash = HandlerArgs.ReadContentHash(req.Args);
        req.Args.Done();
        await AppendCoreAsync(req, id, offset, close, expectedHash, wrap: null);
        await req.OkAsync(null);
    }

    /// <summary>upload_session/append (v1): the argument is the cursor itself.</summary>
    public static async Task AppendV1Async(ApiRequest req)
    {
        var (id, offset) = HandlerArgs.ReadCursor(req.Args);
        await AppendCoreAsync(req, id, offset, close: false, expectedHash: null, wrap: null);
        await req.OkAsync(null);
    }

    public static async Task StartBatchAsync(ApiRequest req)
    {
        var n = req.Args.ReqLong("num_sessions", 1, 1000);
        var type = req.Args.OptUnion("session_type", "sequential", "concurrent");
        req.Args.Done();
        var ids = await req.State.RunAsync(() =>
        {
            var list = new JsonArray();
            for (var i = 0; i < n; i++)
            {
                var s = req.State.NewSessionLocked(type?.Tag == "concurrent", 0, false);
                File.Create(req.State.Blobs.SessionPath(s.Id)).Dispose();
                list.Add(s.Id);
            }

            return list;
        });
        await req.OkAsync(new JsonObject { ["session_ids"] = ids });
    }

    private static ApiException PayloadTooLarge() => Errors.Route(Errors.Tag("payload_too_large"));

    /// <summary>
    /// Appends this request's body. Errors are UploadSessionAppendError tags; with
    /// <paramref name="wrap"/> (finish) they are nested under it as lookup_failed/….
    /// </summary>
    private static async Task AppendCoreAsync(ApiRequest req, string id, long offset, bool close, string? expectedHash, string? wrap, Stream? source = null)
    {
        ApiException Fail(JsonObject tag) => Errors.Route(wrap == null ? tag : Errors.Nest(wrap, tag));

        var gate = req.Runtime.SessionLocks.GetOrAdd(id, _ => new SemaphoreSlim(1, 1));
        var session = await req.State.RunAsync(() => req.State.LiveSessionLocked(id)) ?? throw Fail(Errors.NotFound);
        if (session.Concurrent)
        {
            await AppendConcurrentAsync(req, session, offset, close, expectedHash, Fail, source);
            return;
        }

        await gate.WaitAsync(req.Aborted);
        try
        {
            session = await req.State.RunAsync(() => req.State.LiveSessionLocked(id)) ?? throw Fail(Errors.NotFound);
            if (offset != session.Length)
            {
                throw Fail(Errors.Inline("incorrect_offset", ("correct_offset", session.Length)));
            }

            if (session.Closed)
            {
                if (wrap != null && !await BodyStreams.HasBodyAsync(req.Http))
                {
                    return; // finishing a closed session with an empty body is the normal path
                }

                throw Fail(Errors.Tag("closed"));
            }

            // The running hash stays usable only if it has seen exactly the bytes before this chunk.
            req.Runtime.SessionHashers.TryGetValue(id, out var running);
            if (running != null && running.Length != offset)
            {
                req.Runtime.DropSessionHash(id);
                running = null;
            }

            (long Length, string Hash) received;
            try
            {
                received = await ReceiveIntoSessionAsync(req, session, offset, source, expectedHash != null, running?.Hasher);
            }
            catch
            {
                req.Runtime.DropSessionHash(id);
                throw;
            }

            var (length, hash) = received;
            if (expectedHash != null && expectedHash != hash)
            {
                req.Runtime.DropSessionHash(id);
                TruncateSession(req, session);
                throw Fail(Errors.Tag("content_hash_mismatch"));
            }

            var updated = session with { Length = offset + length, Closed = session.Closed || close };
            await req.State.RunAsync(() => req.State.Sessions.Update(updated));
            if (running != null)
            {
                running.Length = updated.Length;
            }

            if (req.Has(FaultKind.IncorrectOffset) && wrap == null)
            {
                // A lost acknowledgement: the chunk is stored, the client is told the true offset.
                throw Fail(Errors.Inline("incorrect_offset", ("correct_offset", updated.Length)));
            }
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task<(long Length, string Hash)> ReceiveIntoSessionAsync(ApiRequest req, UploadSession session, long at, Stream? source,
        bool hashBody = true, ContentHasher? tee = null)
    {
        try
        {
            using var handle = File.OpenHandle(req.State.Blobs.SessionPath(session.Id), FileMode.OpenOrCreate, FileAccess.Write,
                FileShare.ReadWrite, FileOptions.Asynchronous);
            return await BodyStreams.ReceiveAsync(req, handle, at, EmulatorServer.MaxUploadBody, PayloadTooLarge, source, hashBody, tee);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ApiException or BadHttpRequestException)
        {
            if (!session.Concurrent)
            {
                TruncateSession(req, session); // a cut or refused body leaves no partial data behind
            }

            throw;
        }
    }

    private static void TruncateSession(ApiRequest req, UploadSession session)
    {
        using var handle = File.OpenHandle(req.State.Blobs.SessionPath(session.Id), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite);
        RandomAccess.SetLength(handle, session.Length);
    }

    private static async Task AppendConcurrentAsync(ApiRequest req, UploadSession session, long offset, bool close, string? expectedHash, Func<JsonObject, ApiException> fail, Stream? source)
    {
        if (offset % ConcurrentChunk != 0)
        {
            throw fail(Errors.Tag("concurrent_session_invalid_offset"));
        }

        if (session.Closed && offset >= session.Length)
        {
            throw fail(Errors.Tag("closed"));
        }

        var (length, hash) = await ReceiveIntoSessionAsync(req, session, offset, source);
        if (expectedHash != null && expectedHash != hash)
        {
            throw fail(Errors.Tag("content_hash_mismatch"));
        }

        if (!close && length % ConcurrentChunk != 0)
        {
            throw fail(Errors.Tag("concurrent_session_invalid_data_size"));
        }

        await req.State.RunAsync(() =>
        {
            var s = req.State.Sessions.Get(session.Id) ?? throw fail(Errors.NotFound);
            s = s with { Ranges = DropboxState.AddRange(s.Ranges, offset, length) };
            if (close)
            {
                s = s with { Closed = true, Length = offset + length };
            }

            req.State.Sessions.Update(s);
        });
    }
}
