using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Api;

public sealed partial class DropboxClient
{
    /// <summary>upload_session/start (sequential session) with optional first bytes. Returns the cursor
    /// (session id, offset = bytes sent).</summary>
    public async Task<UploadSessionCursor> StartUploadSessionAsync(ReadOnlyMemory<byte> data = default, bool close = false, CancellationToken ct = default)
    {
        var arg = new JsonObject { ["close"] = close };
        if (!data.IsEmpty)
        {
            arg["content_hash"] = ContentHash.Compute(data.Span);
        }
        // Treated as safe to repeat: a duplicate only leaves an unused session behind (expires in 7 days).
        var result = await RunAsync("files/upload_session/start", idempotent: true, async t =>
        {
            using var response = await SendAsync("files/upload_session/start",
                () => BuildContentRequest("files/upload_session/start", arg, new ReadOnlyMemoryContent(data)), false, t).ConfigureAwait(false);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(t).ConfigureAwait(false));
        }, ct).ConfigureAwait(false);
        var id = (string?)result?["session_id"] ?? throw new InvalidDataException("upload_session/start returned no session_id");
        return new UploadSessionCursor(id, data.Length);
    }

    /// <summary>upload_session/append_v2: sends <paramref name="data"/> at <c>cursor.Offset</c> and returns the
    /// advanced cursor. When the server answers incorrect_offset with correct_offset = offset + data length (the
    /// previous attempt arrived but its answer was lost), that counts as success. Other offset mismatches throw
    /// <see cref="DropboxApiException"/> with <see cref="DropboxApiException.CorrectOffset"/>.</summary>
    public Task<UploadSessionCursor> AppendUploadSessionAsync(UploadSessionCursor cursor, ReadOnlyMemory<byte> data, bool close = false, CancellationToken ct = default) =>
        AppendUploadSessionAsync(cursor, data, close, ContentHash.Compute(data.Span), ct);

    /// <summary>Append with a precomputed body hash (null = send none).</summary>
    internal Task<UploadSessionCursor> AppendUploadSessionAsync(UploadSessionCursor cursor, ReadOnlyMemory<byte> data, bool close, string? bodyHash, CancellationToken ct)
    {
        if (data.Length > MaxRequestBody)
        {
            throw new ArgumentOutOfRangeException(nameof(data), "At most 150 MiB per request");
        }
        return AppendUploadSessionAsync(cursor, data.Length, () => new ReadOnlyMemoryContent(data), close, bodyHash, ct);
    }

    /// <summary>Append whose body comes from <paramref name="createContent"/> (called once per attempt).</summary>
    internal async Task<UploadSessionCursor> AppendUploadSessionAsync(UploadSessionCursor cursor, long length, Func<HttpContent> createContent,
        bool close, string? bodyHash, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        var arg = new JsonObject
        {
            ["cursor"] = CursorJson(cursor),
            ["close"] = close,
        }.AddIf("content_hash", bodyHash);
        var next = cursor with { Offset = cursor.Offset + length };
        try
        {
            // Repeating an append is safe: the server's offset check turns a duplicate into incorrect_offset.
            await RunAsync("files/upload_session/append_v2", idempotent: true, async t =>
            {
                using var response = await SendAsync("files/upload_session/append_v2",
                    () => BuildContentRequest("files/upload_session/append_v2", arg, createContent()), false, t).ConfigureAwait(false);
                return true;
            }, ct).ConfigureAwait(false);
        }
        catch (DropboxApiException ex) when (ex.IsIncorrectOffset && ex.CorrectOffset == next.Offset)
        {
            _log.LogInformation("Fragment at {Offset} of session was already received; continuing", cursor.Offset);
        }
        return next;
    }

    /// <summary>upload_session/finish with an empty body: commits the session's bytes at <paramref name="path"/>
    /// (conflict rules 2–5 of <see cref="UploadOptions"/>). <paramref name="expectedContentHash"/> (of the whole file)
    /// lets an unknown outcome be verified instead of blindly repeated.</summary>
    public Task<FileMetadata> FinishUploadSessionAsync(UploadSessionCursor cursor, string path, UploadOptions? options = null,
        string? expectedContentHash = null, CancellationToken ct = default)
    {
        var arg = new JsonObject { ["cursor"] = CursorJson(cursor), ["commit"] = CommitInfo(path, options ?? UploadOptions.Default) };
        return MutateAsync("files/upload_session/finish",
            token => RunAsync("files/upload_session/finish", idempotent: false, async t =>
            {
                using var response = await SendAsync("files/upload_session/finish",
                    () => BuildContentRequest("files/upload_session/finish", arg, new ByteArrayContent([])), false, t).ConfigureAwait(false);
                return ApiJson.Deserialize(await response.Content.ReadAsStringAsync(t).ConfigureAwait(false), ApiJsonContext.Default.FileMetadata);
            }, token),
            token => VerifyCommittedAsync(path, expectedContentHash, token), ct);
    }

    /// <summary>upload_session/start_batch: <paramref name="count"/> (1..1000) new session ids.</summary>
    public async Task<IReadOnlyList<string>> StartUploadSessionBatchAsync(int count, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 1000);
        var result = await RpcAsync("files/upload_session/start_batch", new JsonObject { ["num_sessions"] = count }, idempotent: true, ct).ConfigureAwait(false);
        return result?["session_ids"]?.AsArray().Select(n => (string)n!).ToList() ?? throw new InvalidDataException("start_batch returned no session_ids");
    }

    /// <summary>upload_session/finish_batch_v2 (synchronous): commits up to 1000 closed sessions; one result per
    /// entry, in order. Not repeated after an unknown outcome (check the paths instead).</summary>
    public async Task<IReadOnlyList<UploadSessionFinishResult>> FinishUploadSessionBatchAsync(IReadOnlyList<UploadSessionFinishEntry> entries, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(entries.Count, 1000);
        var list = new JsonArray();
        foreach (var e in entries)
        {
            list.Add(new JsonObject { ["cursor"] = CursorJson(e.Cursor), ["commit"] = CommitInfo(e.Path, e.Options ?? UploadOptions.Default) });
        }
        const string route = "files/upload_session/finish_batch_v2";
        var result = await RpcAsync(route, new JsonObject { ["entries"] = list }, idempotent: false, ct).ConfigureAwait(false);
        var results = new List<UploadSessionFinishResult>();
        foreach (var node in result?["entries"]?.AsArray() ?? [])
        {
            if ((string?)node?[".tag"] == "success")
            {
                var meta = node!["success"] is JsonObject nested ? nested : node;
                results.Add(new UploadSessionFinishResult { Metadata = ApiJson.Deserialize(meta, ApiJsonContext.Default.FileMetadata) });
            }
            else
            {
                var failure = node?["failure"];
                var tags = ErrorTags.TagPathOf(failure);
                results.Add(new UploadSessionFinishResult { Failure = new DropboxApiException(route, 409, tags, tags + "/", failure?.DeepClone()) });
            }
        }
        return results;
    }

    /// <summary>Uploads many small files in one commit: start_batch, one closing append per file, finish_batch_v2.</summary>
    public async Task<IReadOnlyList<UploadSessionFinishResult>> UploadBatchAsync(IReadOnlyList<BatchUploadItem> items, CancellationToken ct = default)
    {
        if (items.Count == 0)
        {
            return [];
        }
        var ids = await StartUploadSessionBatchAsync(items.Count, ct).ConfigureAwait(false);
        var entries = new List<UploadSessionFinishEntry>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var cursor = await AppendUploadSessionAsync(new UploadSessionCursor(ids[i], 0), items[i].Content, close: true, ct).ConfigureAwait(false);
            entries.Add(new UploadSessionFinishEntry(cursor, items[i].Path, items[i].Options));
        }
        return await FinishUploadSessionBatchAsync(entries, ct).ConfigureAwait(false);
    }

    private static JsonObject CursorJson(UploadSessionCursor cursor) =>
        new() { ["session_id"] = cursor.SessionId, ["offset"] = cursor.Offset };
}

/// <summary>One small file for <see cref="DropboxClient.UploadBatchAsync"/>.</summary>
/// <param name="Path">Destination.</param>
/// <param name="Content">All bytes (small files only; ≤ 150 MiB).</param>
/// <param name="Options">Commit options.</param>
public sealed record BatchUploadItem(string Path, ReadOnlyMemory<byte> Content, UploadOptions? Options = null);
