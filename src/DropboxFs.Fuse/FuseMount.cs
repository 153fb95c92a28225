using System.Runtime.InteropServices;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse.Native;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Fuse;

/// <summary>
/// One FUSE mount of an <see cref="IFileSystem"/>. Typical host:
/// <code>
/// var mount = new FuseMount(fs, options);
/// fs.AttachNotifier(mount.Notifier);
/// await mount.RunAsync(ct); // returns after unmount (ct, SIGINT/SIGTERM, or umount from outside)
/// </code>
/// </summary>
public sealed partial class FuseMount : IAsyncDisposable
{
    private readonly FuseMountOptions _options;
    private readonly string _mountPoint;
    private readonly uint _uid;
    private readonly uint _gid;
    private readonly ILogger _logger;
    private readonly FuseDispatcher _dispatcher;
    private readonly FuseNotifier _notifier;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _unmountRequested;
    private int _started;
    private int _signals;
    private volatile bool _mounted; // only a mount this instance made is ever unmounted by it
    private Task? _run;

    public FuseMount(IFileSystem fs, FuseMountOptions options)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _mountPoint = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.MountPoint));
        _uid = options.Uid ?? Libc.GetEuid();
        _gid = options.Gid ?? Libc.GetEgid();
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggers.CreateLogger("DropboxFs.Fuse");
        var attrs = new FuseAttributes(_uid, _gid, options.EntryTimeout, options.AttrTimeout, options.NegativeTimeout);
        _dispatcher = new FuseDispatcher(fs, attrs, _logger, options.TimeProvider) { PassthroughWanted = options.Passthrough && Libc.GetEuid() == 0 };
        _notifier = new FuseNotifier(_logger);
    }

    public string MountPoint => _mountPoint;

    /// <summary>Invalidations for the kernel caches; attach it to the facade before sync starts.</summary>
    public IKernelNotifier Notifier => _notifier;

    /// <summary>Counters for <c>dropboxfs status</c>.</summary>
    public FuseStats GetStats() => new(
        _dispatcher.ProtocolMinor,
        _dispatcher.RequestCounts(),
        _dispatcher.InFlightCount,
        _notifier.Sent,
        _notifier.Dropped,
        _dispatcher.PassthroughActive,
        _dispatcher.PassthroughOpens);

    /// <summary>Completes when the kernel has finished INIT (the mount answers requests); faults if mounting failed.</summary>
    public Task Ready => _ready.Task;

    /// <summary>
    /// Mounts, serves requests until the mount goes away, then cleans up. Cancelling
    /// <paramref name="ct"/> (or SIGINT/SIGTERM with <see cref="FuseMountOptions.HandleSignals"/>) unmounts
    /// lazily: the task completes once no process uses the mount any more.
    /// Throws <see cref="FuseMountException"/> when the mount cannot be made.
    /// </summary>
    public Task RunAsync(CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("RunAsync may be called once per FuseMount.");
        }

        _run = RunCoreAsync(ct);
        return _run;
    }

    private async Task RunCoreAsync(CancellationToken ct)
    {
        await Task.Yield(); // never run the mount syscalls on the caller's stack
        int fd;
        try
        {
            fd = MountDevice();
        }
        catch (Exception e)
        {
            _ready.TrySetException(e);
            throw;
        }

        _mounted = true;
        _logger.LogInformation("Mounted {MountPoint} ({Method})", _mountPoint, UseSyscall ? "mount(2)" : "fusermount3");
        _ = _dispatcher.Initialized.ContinueWith(_ =>
        {
            TuneReadAhead(); // after INIT: the kernel resets readahead while it processes our INIT reply
            _ready.TrySetResult();
        }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        var master = new DeviceChannel(fd);
        var readers = StartReaders(master);
        _notifier.Start(master, _dispatcher.Initialized);
        using var cancel = ct.Register(Unmount);
        using var sigterm = _options.HandleSignals ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal) : null;
        using var sigint = _options.HandleSignals ? PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal) : null;

        bool allSawEnodev = (await Task.WhenAll(readers.Select(r => r.Done)).ConfigureAwait(false)).All(x => x);
        await ShutdownAsync(master, readers, allSawEnodev).ConfigureAwait(false);
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) > 1)
        {
            // Second signal: the user insists. Let the runtime end the process; the mount is already
            // detached, and programs still inside it get ENOTCONN when our fd closes.
            _logger.LogWarning("{Signal} again: exiting now", context.Signal);
            return;
        }

        context.Cancel = true; // we exit by ourselves once the readers see ENODEV
        Unmount();
        _logger.LogWarning("{Signal}: unmounting {MountPoint}; exits when no program uses it any more (send it again to force)", context.Signal.ToString(), _mountPoint);
    }

    private async Task ShutdownAsync(DeviceChannel master, List<Reader> readers, bool allSawEnodev)
    {
        _ready.TrySetException(new FuseMountException($"The mount at {_mountPoint} ended before the kernel finished INIT."));
        if (!allSawEnodev)
        {
            DetachMount(_mountPoint, _logger); // a reader failed: never leave a dead mount behind
        }

        _dispatcher.CancelAll();
        for (int i = 0; i < 500 && _dispatcher.InFlightCount > 0; i++)
        {
            await Task.Delay(10).ConfigureAwait(false); // up to 5 s for handlers to notice cancellation
        }

        _notifier.Stop();
        foreach (var r in readers)
        {
            r.Channel.Close(); // late replies now get EBADF instead of writing into a reused fd number
        }

        master.Close();
        CloseFusermount();
        Interlocked.Exchange(ref _unmountRequested, 1); // gone: DisposeAsync must not unmount again
        _logger.LogInformation("Unmounted {MountPoint}", _mountPoint);
    }

    /// <summary>Unmounts (lazily) if still mounted and waits for <see cref="RunAsync"/> to finish.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_run is not null)
        {
            Unmount(); // a no-op when our mount attempt failed: the mountpoint may be someone else's live mount
            try
            {
                await _run.ConfigureAwait(false);
            }
            catch (FuseMountException)
            {
                // RunAsync's caller has seen it already
            }
        }

        _notifier.Dispose();
    }
}
