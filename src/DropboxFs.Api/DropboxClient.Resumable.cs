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
    /// (seekable sources). Memory: one pooled fragment buffer; no whole-file buffers.</summary>
    public async Task<FileMetadata> UploadResumableAsync(string path, Stream source, ResumableUploadOptions? options = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new ResumableUploadOptions();
        var fragment = options.FragmentSize ?? _options.FragmentSize;
        if (fragment is <= 0 or > MaxRequestBody)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "FragmentSize must be 1 byte .. 150 MiB");
        }
        var basePos = source.CanSeek ? source.Position : 0;
        long? total = source.CanSeek ? source.Length - basePos : null;
        var hasher = new ContentHash();
        var buffer = ArrayPool<byte>.Shared.Rent(fragment);
        try
        {
            var hashKnown = true;
            UploadSessionCursor cursor;
            if (options.Resume is { } resume)
            {
                cursor = resume;
                if (source.CanSeek)
                {
                    await HashPrefixAsync(source, basePos, resume.Offset, hasher, ct).ConfigureAwait(false);
                }
                else
                {
                    hashKnown = false; // the prefix was consumed elsewhere
                }
            }
            else
            {
                if (source.CanSeek)
                {
                    var (existing, _) = await FindIdenticalAsync(path, source, total!.Value, options.Upload, hashSmall: false, ct).ConfigureAwait(false);
                    if (existing is not null)
                    {
                        return existing;
                    }
                }
                cursor = await StartUploadSessionAsync(default, false, ct).ConfigureAwait(false);
                if (options.OnSessionStarted is { } started)
                {
                    await started(cursor, ct).ConfigureAwait(false);
                }
            }

            var corrections = 0;
            while (true)
            {
                var n = await FillAsync(source, buffer.AsMemory(0, fragment), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                try
                {
                    cursor = await AppendUploadSessionAsync(cursor, buffer.AsMemory(0, n), false, ct).ConfigureAwait(false);
                }
                catch (DropboxApiException ex) when (ex.IsIncorrectOffset && ex.CorrectOffset is { } correct
                    && source.CanSeek && correct <= total && ++corrections <= 3)
                {
                    // The server holds a different number of bytes than we thought (stale saved cursor, lost
                    // answer): continue from its count, re-hashing the prefix so the final check stays exact.
                    _log.LogInformation("Upload session offset corrected from {Offset} to {Correct}", cursor.Offset, correct);
                    cursor = cursor with { Offset = correct };
                    hasher.Dispose();
                    hasher = new ContentHash();
                    await HashPrefixAsync(source, basePos, correct, hasher, ct).ConfigureAwait(false);
                    hashKnown = true;
                    continue;
                }
                hasher.Append(buffer.AsSpan(0, n));
                if (options.OnProgress is { } progress)
                {
                    await progress(new UploadProgress(cursor, total), ct).ConfigureAwait(false);
                }
            }
            var hash = hashKnown ? hasher.Finish() : null;
            return await FinishUploadSessionAsync(cursor, path, options.Upload, hash, ct).ConfigureAwait(false);
        }
        finally
        {
            hasher.Dispose();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Hashes bytes [basePos, basePos + length) of a seekable source and leaves it positioned after them.</summary>
    private static async Task HashPrefixAsync(Stream source, long basePos, long length, ContentHash hasher, CancellationToken ct)
    {
        source.Position = basePos;
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
