using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Api;

public sealed partial class DropboxClient
{
    /// <summary>Simple upload (files/upload, one request, ≤ 150 MiB; a longer seekable source is sent through an
    /// upload session instead). Streams from <paramref name="content"/> without buffering the file. Conflict rules:
    /// see <see cref="UploadOptions"/>. A seekable source can be retried; a forward-only one is sent once.</summary>
    public async Task<FileMetadata> UploadAsync(string path, Stream content, UploadOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        options ??= UploadOptions.Default;
        long? length = content.CanSeek ? content.Length - content.Position : null;
        if (length > MaxRequestBody)
        {
            return await UploadResumableAsync(path, content, new ResumableUploadOptions { Upload = options }, ct).ConfigureAwait(false);
        }
        string? hash = null;
        if (content.CanSeek)
        {
            var (existing, localHash) = await FindIdenticalAsync(path, content, length!.Value, options, hashSmall: true, ct).ConfigureAwait(false);
            if (existing is not null)
            {
                return existing;
            }
            hash = localHash;
        }
        var arg = CommitInfo(path, options);
        if (hash is not null)
        {
            arg["content_hash"] = hash;
        }
        var body = new UploadBody(content, length);
        return await MutateAsync("files/upload",
            token => RunAsync("files/upload", idempotent: false, async t =>
            {
                using var response = await SendAsync("files/upload", () => BuildContentRequest("files/upload", arg, body.CreateContent()), false, t).ConfigureAwait(false);
                var text = await response.Content.ReadAsStringAsync(t).ConfigureAwait(false);
                return ApiJson.Deserialize(text, ApiJsonContext.Default.FileMetadata);
            }, token),
            token => VerifyCommittedAsync(path, hash, token), ct).ConfigureAwait(false);
    }

    /// <summary>Uploads a local file: simple upload up to <see cref="DropboxClientOptions.FragmentSize"/> bytes,
    /// else the resumable fragment uploader.</summary>
    public async Task<FileMetadata> UploadFileAsync(string localPath, string path, ResumableUploadOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ResumableUploadOptions();
        await using var file = new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        if (options.Resume is null && file.Length <= (options.FragmentSize ?? _options.FragmentSize))
        {
            return await UploadAsync(path, file, options.Upload, ct).ConfigureAwait(false);
        }
        return await UploadResumableAsync(path, file, options, ct).ConfigureAwait(false);
    }

    /// <summary>Rule 1: identical content is a no-op. Only hashes the local data when a file of the same size
    /// exists, so the common case costs one get_metadata. Leaves the source where it was.</summary>
    private async Task<(FileMetadata? Existing, string? Hash)> FindIdenticalAsync(string path, Stream content, long length, UploadOptions options, bool hashSmall, CancellationToken ct)
    {
        var start = content.Position;
        string? hash = null;
        if (options.SkipIdenticalContent && await TryGetMetadataAsync(path, ct: ct).ConfigureAwait(false) is FileMetadata remote && remote.Size == length && remote.ContentHash is not null)
        {
            hash = await ContentHash.ComputeAsync(content, ct).ConfigureAwait(false);
            content.Position = start;
            if (string.Equals(hash, remote.ContentHash, StringComparison.OrdinalIgnoreCase))
            {
                _log.LogDebug("{Path} already has identical content; upload skipped", path);
                return (remote, hash);
            }
        }
        else if (hashSmall && length <= 16 * 1024 * 1024)
        {
            // Small enough to hash twice cheaply; the server then verifies the body (content_hash_mismatch).
            hash = await ContentHash.ComputeAsync(content, ct).ConfigureAwait(false);
            content.Position = start;
        }
        return (null, hash);
    }

    /// <summary>After an unknown outcome: the commit took effect when the path now holds our content.</summary>
    private async Task<FileMetadata?> VerifyCommittedAsync(string path, string? hash, CancellationToken ct)
    {
        if (hash is null)
        {
            return null; // cannot tell; repeating is the only option (add/overwrite of the same bytes is harmless)
        }
        return await TryGetMetadataAsync(path, ct: ct).ConfigureAwait(false) is FileMetadata f
            && string.Equals(f.ContentHash, hash, StringComparison.OrdinalIgnoreCase) ? f : null;
    }

    /// <summary>CommitInfo for conflict rules 2–5 (rule 1 is checked before uploading).</summary>
    internal static JsonObject CommitInfo(string path, UploadOptions options)
    {
        JsonNode mode;
        bool autorename;
        if (options.IfRevision is { } rev)
        {
            mode = new JsonObject { [".tag"] = "update", ["update"] = rev };
            autorename = options.RenameIfExists; // mismatch → conflicted copy, else fail
        }
        else if (options.RenameIfExists)
        {
            mode = ApiJson.Tag("add");
            autorename = true;
        }
        else if (options.Overwrite)
        {
            mode = ApiJson.Tag("overwrite");
            autorename = false;
        }
        else
        {
            mode = ApiJson.Tag("add");
            autorename = false;
        }
        var commit = new JsonObject { ["path"] = path, ["mode"] = mode, ["autorename"] = autorename };
        if (options.ClientModified is { } modified)
        {
            commit["client_modified"] = ApiJson.FormatTimestamp(modified);
        }
        if (options.Mute)
        {
            commit["mute"] = true;
        }
        return commit;
    }
}
