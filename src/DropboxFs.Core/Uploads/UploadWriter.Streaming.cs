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
    private readonly AsyncSignal _streamProgress = new();

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
        _claimed = _acked = job.SessionId is null ? 0 : job.SessionOffset;
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
            if (_abandoned || _stopped || _pumping || _cancelled || Staging.ContiguousFromZero() < _claimed + fragment)
            {
                return;
            }

            _pumping = true;
        }

        _queue.RegisterPump(JobId, Task.Run(PumpAsync));
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
                }

                await Staging.ReadFullyAsync(start, buffer.AsMemory(0, fragment), ct).ConfigureAwait(false);
                var data = buffer.AsMemory(0, fragment);
                var cursor = session is null
                    ? await _queue.Client.StartUploadSessionAsync(data, close: false, ct).ConfigureAwait(false)
                    : await _queue.Client.AppendUploadSessionAsync(new UploadSessionCursor(session, start), data, close: false, ct).ConfigureAwait(false);
                await _streamGate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    lock (_streamLock)
                    {
                        if (_abandoned)
                        {
                            continue;
                        }

                        _sessionId = cursor.SessionId;
                        _acked = cursor.Offset;
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
            // Background-loop root: streaming is an optimisation; the upload after close sends everything
            // from the last saved offset (or from 0) and the data stays in staging.
            _queue.Log.LogWarning("Streaming upload of {Path} stopped ({Error}); it will upload after close", Path, e.Message);
            lock (_streamLock)
            {
                _abandoned = true;
                _pumping = false;
            }

            _streamProgress.Pulse();

            await _queue.SaveSessionAsync(JobId, null, 0, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
