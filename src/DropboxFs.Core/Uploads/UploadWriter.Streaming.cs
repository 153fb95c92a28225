using System.Buffers;
using DropboxFs.Api;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Uploads;

/// <summary>
/// Fragment-buffered streaming. While the gap-free prefix from offset 0 grows by a whole fragment past
/// what was claimed, a pump appends that fragment to an upload session and saves (id, offset) in the
/// journal after the ack. A write or truncate below the claimed offset abandons the session first
/// (persisted before the write lands, so a restart never commits stale session bytes); the file is
/// then uploaded after close. Only files without base bytes stream (new, or truncated to 0).
/// </summary>
/// <remarks>Lock order: <see cref="_streamGate"/> (async, orders session saves against abandon) →
/// the journal's writer lock. <see cref="_streamLock"/> is never held across an await.</remarks>
internal sealed partial class UploadWriter
{
    private readonly object _streamLock = new();
    private readonly SemaphoreSlim _streamGate = new(1, 1);
    private string? _sessionId;
    private long _claimed;
    private long _acked;
    private bool _abandoned;
    private bool _stopped;
    private bool _pumping;
    private bool _streamFailed;
    private readonly AsyncSignal _streamProgress = new();

    // content_hash of the acknowledged prefix [0, _acked), fed by the pump in order; the upload after close
    // hashes only the rest (PrepareAsync), instead of reading the whole file once more at the end.
    private ContentHash? _prefixHash;
    private long _prefixHashed;

    /// <summary>True when at least one fragment was acknowledged in a live session.</summary>
    internal bool HasStreamed
    {
        get
        {
            lock (_streamLock)
            {
                return !_abandoned && _acked > 0;
            }
        }
    }

    private void InitStreaming(UploadJob job)
    {
        _sessionId = job.SessionId;
        _acked = job.SessionId is null ? 0 : job.SessionOffset;
        _claimed = _acked;
        if (job.SessionId is not null)
        {
            // A taken-over job's session may hold more than saved: an ack lost before a crash or failure, and
            // acks are saved without an fsync (SaveSessionAsync), so after a power cut several fragments. Any
            // write or truncate abandons the session first; without one, the upload after close resumes it,
            // correcting the offset from the server. No streaming in this generation.
            _claimed = long.MaxValue / 2; // "everything" without overflowing _claimed + fragment
            _streamFailed = true;
        }
    }

    private async ValueTask BeforeWriteAsync(long offset, CancellationToken ct)
    {
        bool behind;
        lock (_streamLock)
        {
            behind = !_abandoned && _claimed > 0 && offset < _claimed;
        }

        if (behind)
        {
            await AbandonAsync($"write at {offset} behind the streamed offset", ct).ConfigureAwait(false);
        }
    }

    /// <summary>Back-pressure: while the pump is streaming, a write more than StreamingWindow past the
    /// acknowledged offset waits for the next ack (or for streaming to end).</summary>
    private async ValueTask WaitForStreamWindowAsync(long end, CancellationToken ct)
    {
        var window = _queue.Options.StreamingWindow;
        if (window <= 0)
        {
            return;
        }

        while (true)
        {
            var progress = _streamProgress.Next;
            lock (_streamLock)
            {
                if (!_pumping || _abandoned || _stopped || _cancelled || end - _acked <= window)
                {
                    return;
                }
            }

            await progress.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private ValueTask BeforeTruncateAsync(long size, CancellationToken ct)
    {
        bool behind;
        lock (_streamLock)
        {
            behind = !_abandoned && _claimed > 0 && size < _claimed;
        }

        return behind ? AbandonAsync($"truncate to {size} below the streamed offset", ct) : ValueTask.CompletedTask;
    }

    private async ValueTask AbandonAsync(string reason, CancellationToken ct)
    {
        lock (_streamLock)
        {
            _abandoned = true;
        }

        _streamProgress.Pulse();
        await _streamGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _queue.SaveSessionAsync(JobId, null, 0, ct).ConfigureAwait(false);
        }
        finally
        {
            _streamGate.Release();
        }

        _queue.Log.LogDebug("Streaming session of {Path} abandoned: {Reason}", Path, reason);
    }

    private void NotifyWritten(long offset, int length)
    {
        _ = offset + length;
        var fragment = _queue.Options.FragmentSize;
        lock (_streamLock)
        {
            if (_abandoned || _stopped || _pumping || _streamFailed || _cancelled || Staging.ContiguousFromZero() < _claimed + fragment)
            {
                return;
            }

            _pumping = true;
        }

        _queue.RegisterPump(JobId, Task.Run(PumpAsync));
    }

    /// <summary>After the pump has finished: the hash of the first <c>Offset</c> bytes when they are exactly what the
    /// session <paramref name="sessionId"/> holds (nothing abandoned), else null. The caller owns the hasher.</summary>
    internal (ContentHash Hasher, long Offset)? TakePrefixHash(string? sessionId, long sessionOffset)
    {
        lock (_streamLock)
        {
            var hasher = _prefixHash;
            _prefixHash = null;
            if (hasher is null || _abandoned || _cancelled || sessionId is null || sessionId != _sessionId || _prefixHashed != sessionOffset || _prefixHashed == 0)
            {
                hasher?.Dispose();
                return null;
            }

            return (hasher, _prefixHashed);
        }
    }

    /// <summary>No new fragments after the last release; the scheduler awaits the pump before uploading.</summary>
    private void StopStreaming()
    {
        lock (_streamLock)
        {
            _stopped = true;
        }

        _streamProgress.Pulse();
    }

    private async Task PumpAsync()
    {
        var fragment = _queue.Options.FragmentSize;
        var buffer = ArrayPool<byte>.Shared.Rent(fragment);
        var ct = _queue.StopToken;
        try
        {
            while (true)
            {
                long start;
                string? session;
                lock (_streamLock)
                {
                    if (_abandoned || _stopped || _cancelled || Staging.ContiguousFromZero() < _claimed + fragment)
                    {
                        _pumping = false;
                        _streamProgress.Pulse();
                        return;
                    }

                    start = _claimed;
                    _claimed += fragment;
                    session = _sessionId;
                    if (start == 0 && session is null)
                    {
                        _prefixHash?.Dispose();
                        _prefixHash = new ContentHash();
                        _prefixHashed = 0;
                    }
                }

                await Staging.ReadFullyAsync(start, buffer.AsMemory(0, fragment), ct).ConfigureAwait(false);
                var data = buffer.AsMemory(0, fragment);
                var cursor = session is null
                    ? await _queue.Client.StartUploadSessionAsync(data, close: false, ct).ConfigureAwait(false)
                    : await _queue.Client.AppendUploadSessionAsync(new UploadSessionCursor(session, start), data, close: false, ct).ConfigureAwait(false);
                await _streamGate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    bool hashIt;
                    lock (_streamLock)
                    {
                        if (_abandoned)
                        {
                            continue;
                        }

                        _sessionId = cursor.SessionId;
                        _acked = cursor.Offset;
                        hashIt = _prefixHash is not null && _prefixHashed == start && cursor.Offset == start + fragment;
                    }

                    if (hashIt)
                    {
                        // Only this pump touches the hasher until TakePrefixHash, which runs after the pump ended.
                        _prefixHash!.Append(data.Span);
                        _prefixHashed = cursor.Offset;
                    }

                    await _queue.SaveSessionAsync(JobId, cursor.SessionId, cursor.Offset, ct).ConfigureAwait(false);
                }
                finally
                {
                    _streamGate.Release();
                    _streamProgress.Pulse();
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            lock (_streamLock)
            {
                _pumping = false;
            }

            _streamProgress.Pulse();
        }
        catch (Exception e)
        {
            // Background-loop root: streaming is an optimisation. The session stays valid up to the saved
            // ack (a write behind it still abandons it), so the upload after close resumes from there
            // instead of throwing streamed progress away over one network failure.
            _queue.Log.LogWarning("Streaming upload of {Path} paused ({Error}); it continues after close", Path, e.Message);
            lock (_streamLock)
            {
                // _claimed keeps the failed fragment: it may have reached the server with its answer lost,
                // so a write into it must still abandon the session (resume trusts correct_offset).
                _streamFailed = true;
                _pumping = false;
            }

            _streamProgress.Pulse();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
