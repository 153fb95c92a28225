using System.Text.Json.Nodes;
using DropboxFs.Emulator.Http;
using DropboxFs.Emulator.Model;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator.Handlers;

/// <summary>upload_session/finish and the batch finishes.</summary>
internal static partial class UploadSessionHandlers
{
    private sealed record FinishArg(string SessionId, long Offset, CommitInfo Commit, string? ContentHash);

    public static async Task FinishAsync(ApiRequest req)
    {
        var arg = ParseFinish(req.Args);
        var entry = await RunFinishAsync(req, arg, batch: false);
        await req.OkAsync(MetadataJson.File(entry, tagged: false));
    }

    public static async Task FinishBatchV2Async(ApiRequest req)
    {
        var args = req.Args.ReqList("entries", 1000).Select(ParseFinish).ToList();
        req.Args.Done();
        await req.OkAsync(new JsonObject { ["entries"] = await RunBatchAsync(req, args) });
    }

    /// <summary>Deprecated async form: runs at once and parks the result under an async_job_id.</summary>
    public static async Task FinishBatchAsync(ApiRequest req)
    {
        var args = req.Args.ReqList("entries", 1000).Select(ParseFinish).ToList();
        req.Args.Done();
        var results = await RunBatchAsync(req, args);
        if (req.Runtime.BatchJobs.Count > 1000)
        {
            req.Runtime.BatchJobs.Clear(); // deprecated route; a client polls its job right away
        }

        var jobId = "dbjid:" + DropboxState.NewOpaque(24);
        req.Runtime.BatchJobs[jobId] = results;
        await req.OkAsync(new JsonObject { [".tag"] = "async_job_id", ["async_job_id"] = jobId });
    }

    public static async Task FinishBatchCheckAsync(ApiRequest req)
    {
        var id = req.Args.ReqString("async_job_id");
        req.Args.Done();
        if (!req.Runtime.BatchJobs.TryGetValue(id, out var results))
        {
            throw Errors.Route(Errors.Tag("invalid_async_job_id"));
        }

        await req.OkAsync(new JsonObject { [".tag"] = "complete", ["entries"] = results.DeepClone() });
    }

    private static FinishArg ParseFinish(ArgReader r)
    {
        var (id, offset) = HandlerArgs.ReadCursor(r.ReqObject("cursor"));
        var commitArgs = r.ReqObject("commit");
        var commit = HandlerArgs.ReadCommit(commitArgs);
        commitArgs.Done();
        var hash = HandlerArgs.ReadContentHash(r);
        r.Done();
        return new FinishArg(id, offset, commit, hash);
    }

    private static async Task<JsonArray> RunBatchAsync(ApiRequest req, List<FinishArg> args)
    {
        var results = new JsonArray();
        foreach (var arg in args)
        {
            try
            {
                var entry = await RunFinishAsync(req, arg, batch: true);
                var success = new JsonObject { [".tag"] = "success" };
                foreach (var (k, v) in MetadataJson.File(entry, tagged: false))
                {
                    success[k] = v?.DeepClone();
                }

                results.Add(success);
            }
            catch (ApiException e) when (e.Status == 409 && e.Error != null)
            {
                results.Add(Errors.Nest("failure", e.Error.DeepClone()));
            }
        }

        return results;
    }

    private static async Task<Entry> RunFinishAsync(ApiRequest req, FinishArg arg, bool batch)
    {
        static ApiException Lookup(JsonObject inner) => Errors.Route("lookup_failed", inner);

        var id = arg.SessionId;
        var session = await req.State.RunAsync(() => req.State.LiveSessionLocked(id)) ?? throw Lookup(Errors.NotFound);
        if (req.Has(FaultKind.IncorrectOffset) && !batch)
        {
            throw Lookup(Errors.Inline("incorrect_offset", ("correct_offset", session.Length)));
        }

        if (session.Concurrent)
        {
            if (!batch && await BodyStreams.HasBodyAsync(req.Http))
            {
                throw Errors.Route(Errors.Tag("concurrent_session_data_not_allowed"));
            }

            if (!session.Closed)
            {
                throw Errors.Route(Errors.Tag("concurrent_session_not_closed"));
            }

            if (!DropboxState.CoversAll(session.Ranges, session.Length))
            {
                throw Errors.Route(Errors.Tag("concurrent_session_missing_data"));
            }
        }
        else if (batch && !session.Closed)
        {
            throw Lookup(Errors.Tag("not_closed"));
        }
        else if (!batch)
        {
            await AppendCoreAsync(req, id, arg.Offset, close: false, arg.ContentHash, wrap: "lookup_failed");
            session = await req.State.RunAsync(() => req.State.LiveSessionLocked(id)) ?? throw Lookup(Errors.NotFound);
        }

        if ((batch || session.Concurrent) && arg.Offset != session.Length)
        {
            throw Lookup(Errors.Inline("incorrect_offset", ("correct_offset", session.Length)));
        }

        var path = req.State.Blobs.SessionPath(id);
        string hash;
        SessionHash? running = null;
        if (!session.Concurrent)
        {
            req.Runtime.SessionHashers.TryRemove(id, out running);
        }

        if (running != null && running.Length == session.Length)
        {
            hash = running.Hasher.Finish(); // saw every byte as it arrived: no second pass over the file
            running.Hasher.Dispose();
        }
        else
        {
            running?.Hasher.Dispose();
            await using var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.Asynchronous);
            stream.SetLength(session.Length); // concurrent chunks past the closing one do not belong to the file
            hash = await ContentHasher.ComputeAsync(stream, req.Aborted);
        }

        var length = session.Length;
        var entry = await req.RunAsync(() =>
        {
            _ = req.State.LiveSessionLocked(id) ?? throw Lookup(Errors.NotFound); // finished meanwhile by another call
            var e = req.State.CommitFileLocked(arg.Commit, hash, length, () => req.State.Blobs.Adopt(path, hash), req.Has(FaultKind.InsufficientSpace));
            req.State.Sessions.Delete(id); // consumed, also when identical content made the commit a no-op
            req.State.Blobs.DeleteSession(id);
            return e;
        });
        req.Runtime.SessionLocks.TryRemove(id, out _);
        return entry;
    }
}
