using System.Collections.Concurrent;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse.Protocol;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Fuse;

/// <summary>
/// Decodes one request buffer, calls <see cref="IFileSystem"/>, and writes the reply to the request's
/// channel whenever the facade's ValueTask completes (from any thread). Decoding is synchronous, so
/// the reader may reuse its buffer as soon as <see cref="Dispatch"/> returns.
/// No locks: in-flight requests and directory handles live in concurrent dictionaries.
/// </summary>
internal sealed partial class FuseDispatcher
{
    private readonly IFileSystem _fs;
    private readonly FuseAttributes _attrs;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<ulong, CancellationTokenSource> _inFlight = new();
    private readonly ConcurrentDictionary<ulong, byte> _earlyInterrupts = new();
    private readonly TaskCompletionSource _initialized = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long[] _requestCounts = new long[64]; // by opcode; unknown opcodes count in slot 0

    public FuseDispatcher(IFileSystem fs, FuseAttributes attributes, ILogger logger, TimeProvider time)
    {
        _fs = fs;
        _attrs = attributes;
        _logger = logger;
        _time = time;
    }

    /// <summary>Completes once INIT has been answered: the mount is usable, notifications may be sent.</summary>
    public Task Initialized => _initialized.Task;

    /// <summary>Negotiated protocol minor (0 before INIT).</summary>
    public uint ProtocolMinor { get; private set; }

    public int InFlightCount => _inFlight.Count;

    /// <summary>Requests received so far, by opcode name (e.g. "Lookup").</summary>
    public IReadOnlyDictionary<string, long> RequestCounts()
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        for (uint op = 0; op < _requestCounts.Length; op++)
        {
            long n = Interlocked.Read(ref _requestCounts[op]);
            if (n > 0)
            {
                counts[Enum.IsDefined((FuseOpcode)op) ? ((FuseOpcode)op).ToString() : $"op{op}"] = n;
            }
        }

        return counts;
    }

    public void Dispatch(ReadOnlySpan<byte> message, IFuseChannel channel)
    {
        if (message.Length < FuseWire.InHeaderSize)
        {
            _logger.LogWarning("Ignoring a {Length}-byte FUSE message shorter than its header", message.Length);
            return;
        }

        var h = FuseWire.Read<InHeader>(message);
        var body = message[FuseWire.InHeaderSize..Math.Min(message.Length, (int)h.Len)];
        var req = new FuseRequest((FuseOpcode)h.Opcode, h.Unique, h.Nodeid, h.Uid, h.Gid, h.Pid, channel);
        Interlocked.Increment(ref _requestCounts[h.Opcode < 64 ? h.Opcode : 0]);
        try
        {
            DispatchCore(req, body);
        }
        catch (FsException e)
        {
            ReplyError(req, Errno.From(e.Error)); // decode errors, e.g. a name that is not UTF-8
        }
        catch (Exception e)
        {
            // Request boundary: nothing may escape into the reader loop.
            _logger.LogError(e, "FUSE {Opcode} (unique {Unique}) failed while decoding; answering EIO", req.Opcode, req.Unique);
            ReplyError(req, Errno.EIO);
        }
    }

    private void DispatchCore(FuseRequest req, ReadOnlySpan<byte> body)
    {
        if (req.Opcode == FuseOpcode.Init)
        {
            HandleInit(req, body);
            return;
        }

        if (!_initialized.Task.IsCompleted)
        {
            ReplyError(req, Errno.EIO); // the kernel sends nothing before INIT; a test or a bug did
            return;
        }

        switch (req.Opcode)
        {
            case FuseOpcode.Lookup: Lookup(req, body); break;
            case FuseOpcode.Forget: Forget(req, body); break;
            case FuseOpcode.BatchForget: BatchForget(body); break;
            case FuseOpcode.Getattr: Getattr(req); break;
            case FuseOpcode.Setattr: Setattr(req, body); break;
            case FuseOpcode.Statfs: Statfs(req); break;
            case FuseOpcode.Open: Open(req, body); break;
            case FuseOpcode.Read: Read(req, body); break;
            case FuseOpcode.Write: Write(req, body); break;
            case FuseOpcode.Flush: Flush(req, body); break;
            case FuseOpcode.Fsync: Fsync(req, body); break;
            case FuseOpcode.Release: Release(req, body); break;
            case FuseOpcode.Create: Create(req, body); break;
            case FuseOpcode.CopyFileRange: CopyFileRange(req, body); break;
            case FuseOpcode.Opendir: Opendir(req); break;
            case FuseOpcode.Readdir: Readdir(req, body, plus: false); break;
            case FuseOpcode.Readdirplus: Readdir(req, body, plus: true); break;
            case FuseOpcode.Releasedir: Releasedir(req, body); break;
            case FuseOpcode.Fsyncdir: ReplyEmpty(req); break; // a folder has nothing to sync
            case FuseOpcode.Mkdir: Mkdir(req, body); break;
            case FuseOpcode.Unlink: Unlink(req, body); break;
            case FuseOpcode.Rmdir: Rmdir(req, body); break;
            case FuseOpcode.Rename: Rename(req, body); break;
            case FuseOpcode.Rename2: Rename2(req, body); break;
            case FuseOpcode.Interrupt: Interrupt(body); break;
            case FuseOpcode.Access: ReplyEmpty(req); break; // default_permissions: the kernel checks modes itself
            case FuseOpcode.Destroy: ReplyEmpty(req); break;
            case FuseOpcode.Symlink or FuseOpcode.Link or FuseOpcode.Mknod: ReplyError(req, Errno.EPERM); break; // Dropbox has no links or devices
            case FuseOpcode.Readlink: ReplyError(req, Errno.EINVAL); break; // nothing here is a symlink
            default: ReplyError(req, Errno.ENOSYS); break; // xattrs, locks, fallocate, lseek, ioctl, poll, …
        }
    }

    /// <summary>
    /// Runs an async handler for a request: registers it for INTERRUPT, maps failures to errno.
    /// The handler sends the success reply itself; every other outcome is answered here, exactly once.
    /// </summary>
    private void Start<T>(FuseRequest req, T arg, Func<FuseDispatcher, FuseRequest, T, CancellationToken, ValueTask> handler)
    {
        var cts = new CancellationTokenSource();
        _inFlight[req.Unique] = cts;
        if (_earlyInterrupts.TryRemove(req.Unique, out _))
        {
            cts.Cancel(); // the INTERRUPT overtook us on another reader thread
        }

        _ = RunAsync(req, arg, handler, cts);
    }

    private async Task RunAsync<T>(FuseRequest req, T arg, Func<FuseDispatcher, FuseRequest, T, CancellationToken, ValueTask> handler, CancellationTokenSource cts)
    {
        try
        {
            await handler(this, req, arg, cts.Token).ConfigureAwait(false);
        }
        catch (FsException e)
        {
            ReplyError(req, Errno.From(e.Error));
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            ReplyError(req, Errno.EINTR);
        }
        catch (Exception e)
        {
            // Request boundary: log once, answer EIO, keep serving.
            _logger.LogError(e, "FUSE {Opcode} on node {Node} failed unexpectedly; answering EIO", req.Opcode, req.NodeId);
            ReplyError(req, Errno.EIO);
        }
        finally
        {
            _inFlight.TryRemove(req.Unique, out _);
            cts.Dispose();
        }
    }

    private void Interrupt(ReadOnlySpan<byte> body)
    {
        ulong target = FuseWire.Read<InterruptIn>(body).Unique;
        if (_inFlight.TryGetValue(target, out var cts))
        {
            try
            {
                cts.Cancel(); // flows into the facade and the HTTP call; the request answers EINTR
            }
            catch (ObjectDisposedException)
            {
                // finished meanwhile: it has been answered already
            }

            return;
        }

        // Not registered yet (its reader thread is between read(2) and Start) or already answered.
        // Remember it briefly; 1024 stale ids at most, then forget them all (losing an interrupt only
        // means that request runs to completion).
        if (_earlyInterrupts.Count > 1024)
        {
            _earlyInterrupts.Clear();
        }

        _earlyInterrupts.TryAdd(target, 0);
    }

    /// <summary>Cancels everything in flight (shutdown).</summary>
    public void CancelAll()
    {
        foreach (var cts in _inFlight.Values)
        {
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private void ReplyEmpty(FuseRequest req) => Send(req, 0, default);

    private void ReplyError(FuseRequest req, int errno)
    {
        if (req.Opcode is FuseOpcode.Forget or FuseOpcode.BatchForget or FuseOpcode.Interrupt)
        {
            return; // never answered
        }

        Send(req, errno, default);
    }

    private bool Send(FuseRequest req, int errno, ReadOnlySpan<byte> body, ReadOnlySpan<byte> payload = default)
    {
        int rc = FuseWire.Reply(req.Channel, req.Unique, errno, body, payload);
        if (rc != 0 && rc != Errno.ENOENT && rc != Errno.ENODEV)
        {
            _logger.LogWarning("Writing the reply to FUSE {Opcode} failed with errno {Errno}", req.Opcode, rc);
        }

        return rc == 0;
    }
}
