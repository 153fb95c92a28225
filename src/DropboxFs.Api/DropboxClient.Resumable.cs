using System.Buffers;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Api;

public sealed partial class DropboxClient
{
    /// <summary>Resumable upload in fragments (<see cref="ResumableUploadOptions.FragmentSize"/>, default
    /// <see cref="DropboxClientOptions.FragmentSize"/> = 10 MiB): start, one append_v2 per fragment, finish.
    /// After each acknowledged fragment <see cref="ResumableUploadOptions.OnProgress"/> gets the session id and
    /// offset; persist them and pass them back as <see cref="ResumableUploadOptions.Resume"/> to continue an
    /// interrupted upload from the same point (a seekable source must then be positioned at the file's start; a
    /// forward-only one at the resume offset). incorrect_offset answers are corrected from correct_offset
    /// (seekable sources). The committed file's content_hash is checked against the local data.
    /// Memory: a seekable source streams each fragment straight from the stream (no fragment buffer); a
    /// forward-only source uses one pooled fragment buffer so a failed request can be repeated.</summary>
    public Task<FileMetadata> UploadResumableAsync(string path, Stream source, ResumableUploadOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new ResumableUploadOptions();
        var fragment = options.FragmentSize ?? _options.FragmentSize;
        if (fragment is <= 0 or > MaxRequestBody)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "FragmentSize must be 1 byte .. 150 MiB");
        }
        return source.CanSeek
            ? UploadSeekableAsync(path, source, options, fragment, ct)
            : UploadForwardOnlyAsync(path, source, options, fragment, ct);
    }

    // Seekable: the curl pattern. Each fragment is a streaming body read from the source and hashed as it goes
    // (one SHA-256 pass per byte); the server works while we read. No per-request content_hash (we only know it
    // after sending); the file hash is checked at the end instead.
    private async Task<FileMetadata> UploadSeekableAsync(string path, Stream source, ResumableUploadOptions options, int fragment, CancellationToken ct)
    {
        var basePos = source.Position;
        var total = source.Length - basePos;
        var hasher = new ContentHash();
        try
        {
            UploadSessionCursor cursor;
            if (options.Resume is { } resume)
            {
                cursor = resume;
                await HashPrefixAsync(source, basePos, resume.Offset, hasher, ct).ConfigureAwait(false);
            }
            else
            {
                var (existing, _) = await FindIdenticalAsync(path, source, total, options.Upload, hashSmall: false, ct).ConfigureAwait(false);
                if (existing is not null)
                {
                    return existing;
                }
                cursor = await StartSessionAsync(options, ct).ConfigureAwait(false);
            }
            var corrections = 0;
            while (cursor.Offset < total)
            {
                var length = (int)Math.Min(fragment, total - cursor.Offset);
                using var window = new HashingWindow(source, basePos + cursor.Offset, length, hasher);
                var at = cursor.Offset;
                try
                {
                    cursor = await AppendUploadSessionAsync(cursor, length, window.CreateContent, false, null, ct).ConfigureAwait(false);
                }
                catch (DropboxApiException ex) when (ex.IsIncorrectOffset && ex.CorrectOffset is { } correct && correct <= total && ++corrections <= 3)
                {
                    // The server holds a different byte count than we thought (stale saved cursor, lost answer):
                    // continue from its count, re-hashing the prefix so the final check stays exact.
                    _log.LogInformation("Upload session offset corrected from {Offset} to {Correct}", cursor.Offset, correct);
                    cursor = cursor with { Offset = correct };
                    hasher.Dispose();
                    hasher = new ContentHash();
                    await HashPrefixAsync(source, basePos, correct, hasher, ct).ConfigureAwait(false);
                    continue;
                }
                var advanced = window.TakeCompletedHasher();
                if (advanced is null)
                {
                    // Acknowledged without any attempt streaming every byte (a duplicate answered early): hash here.
                    advanced = hasher.Clone();
                    await HashRangeAsync(source, basePos + at, length, advanced, ct).ConfigureAwait(false);
                }
                hasher.Dispose();
                hasher = advanced;
                await ReportAsync(options, cursor, total, ct).ConfigureAwait(false);
            }
            return await FinishAndCheckAsync(path, cursor, options, hasher.Finish(), ct).ConfigureAwait(false);
        }
        finally
        {
            hasher.Dispose();
        }
    }

    // Forward-only: a fragment must be buffered so that a failed request can be sent again. When the fragment is
    // whole 4 MiB blocks on a block boundary, its block digests give both its content_hash and the file hash.
    private async Task<FileMetadata> UploadForwardOnlyAsync(string path, Stream source, ResumableUploadOptions options, int fragment, CancellationToken ct)
    {
        using var hasher = new ContentHash();
        var hashKnown = options.Resume is null; // a resumed stream starts mid-file: the prefix is not ours to read
        var cursor = options.Resume ?? await StartSessionAsync(options, ct).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(fragment);
        var digests = new byte[ContentHash.BlockCount(fragment) * 32];
        try
        {
            while (true)
            {
                var n = await FillAsync(source, buffer.AsMemory(0, fragment), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                string? bodyHash = null;
                var aligned = hashKnown && hasher.IsOnBlockBoundary && (n % ContentHash.BlockSize == 0 || n < fragment);
                if (aligned)
                {
                    bodyHash = ContentHash.ComputeWithBlockDigests(buffer.AsSpan(0, n), digests);
                }
                cursor = await AppendUploadSessionAsync(cursor, buffer.AsMemory(0, n), false, bodyHash, ct).ConfigureAwait(false);
                if (aligned)
                {
                    hasher.AppendBlockDigests(digests.AsSpan(0, ContentHash.BlockCount(n) * 32), n % ContentHash.BlockSize != 0);
                }
                else if (hashKnown)
                {
                    hasher.Append(buffer.AsSpan(0, n));
                }
                await ReportAsync(options, cursor, null, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return await FinishAndCheckAsync(path, cursor, options, hashKnown ? hasher.Finish() : null, ct).ConfigureAwait(false);
    }

    private async Task<UploadSessionCursor> StartSessionAsync(ResumableUploadOptions options, CancellationToken ct)
    {
        var cursor = await StartUploadSessionAsync(default, false, ct).ConfigureAwait(false);
        if (options.OnSessionStarted is { } started)
        {
            await started(cursor, ct).ConfigureAwait(false);
        }
        return cursor;
    }

    private static async Task ReportAsync(ResumableUploadOptions options, UploadSessionCursor cursor, long? total, CancellationToken ct)
    {
        if (options.OnProgress is { } progress)
        {
            await progress(new UploadProgress(cursor, total), ct).ConfigureAwait(false);
        }
    }

    private async Task<FileMetadata> FinishAndCheckAsync(string path, UploadSessionCursor cursor, ResumableUploadOptions options, string? hash, CancellationToken ct)
    {
        var committed = await FinishUploadSessionAsync(cursor, path, options.Upload, hash, ct).ConfigureAwait(false);
        if (hash is not null && committed.ContentHash is { } remote && !string.Equals(remote, hash, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{committed.PathDisplay} was committed with content_hash {remote}, but the local data hashes to {hash}; upload it again");
        }
        return committed;
    }

    /// <summary>Hashes bytes [basePos, basePos + length) of a seekable source and leaves it positioned after them.</summary>
    private static Task HashPrefixAsync(Stream source, long basePos, long length, ContentHash hasher, CancellationToken ct) =>
        HashRangeAsync(source, basePos, length, hasher, ct);

    private static async Task HashRangeAsync(Stream source, long start, long length, ContentHash hasher, CancellationToken ct)
    {
        source.Position = start;
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            var left = length;
            while (left > 0)
            {
                var n = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(CopyBufferSize, left)), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new EndOfStreamException($"The source is shorter ({length - left} bytes) than the upload session offset ({length})");
                }
                hasher.Append(buffer.AsSpan(0, n));
                left -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken ct)
    {
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await source.ReadAsync(buffer[filled..], ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }
            filled += n;
        }
        return filled;
    }
}
