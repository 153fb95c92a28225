using System.Runtime.CompilerServices;
using DropboxFs.Fuse.Protocol;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Fuse;

internal sealed partial class FuseDispatcher
{
    /// <summary>1 MiB WRITEs (and direct-I/O READs): with max_pages 256 the kernel sends 1 MiB requests.</summary>
    public const uint MaxWrite = 1 << 20;

    /// <summary>Readers need max_write plus a page for the header; never below FUSE_MIN_READ_BUFFER (8192).</summary>
    public const int ReadBufferSize = (int)MaxWrite + 8192;

    /// <summary>
    /// 64 background requests (kernel default 12) lets readahead and async direct I/O keep 32+ slow
    /// READs in flight (measured: 1.42 s → 0.47 s at 50 ms per READ); congestion at 3/4 of it.
    /// </summary>
    public const ushort MaxBackground = 64;

    public const ushort CongestionThreshold = 48;

    /// <summary>What we ask for; the reply carries this ANDed with the kernel's offer.</summary>
    public const InitFlags WantedFlags =
        InitFlags.AsyncRead | InitFlags.AtomicOTrunc | InitFlags.BigWrites | InitFlags.AutoInvalData
        | InitFlags.DoReaddirplus | InitFlags.ReaddirplusAuto | InitFlags.AsyncDio | InitFlags.ParallelDirops
        | InitFlags.MaxPages;

    private void HandleInit(FuseRequest req, ReadOnlySpan<byte> body)
    {
        var init = FuseWire.Read<InitIn>(body); // older kernels send 16 bytes: zero-extended
        if (init.Major < KernelConstants.KernelMajor)
        {
            _logger.LogError("The kernel speaks FUSE {Major}.{Minor}; 7.{Min} or newer is needed", init.Major, init.Minor, KernelConstants.MinimumMinor);
            ReplyError(req, Errno.EPROTO);
            return;
        }

        if (init.Major > KernelConstants.KernelMajor)
        {
            // Protocol: answer with our major only; the kernel then sends a second INIT in 7.x.
            var major = new InitOut { Major = KernelConstants.KernelMajor, Minor = KernelConstants.OurMinor };
            Send(req, 0, FuseWire.Bytes(in major)[..8]);
            return;
        }

        if (init.Minor < KernelConstants.MinimumMinor)
        {
            _logger.LogError("The kernel speaks FUSE 7.{Minor}; 7.{Min} or newer is needed", init.Minor, KernelConstants.MinimumMinor);
            ReplyError(req, Errno.EPROTO);
            return;
        }

        uint minor = Math.Min(init.Minor, KernelConstants.OurMinor);
        var granted = WantedFlags & (InitFlags)init.Flags;
        var reply = new InitOut
        {
            Major = KernelConstants.KernelMajor,
            Minor = minor,
            MaxReadahead = init.MaxReadahead, // we may only lower it
            Flags = (uint)granted,
            MaxBackground = MaxBackground,
            CongestionThreshold = CongestionThreshold,
            MaxWrite = MaxWrite,
            TimeGran = 1,
            MaxPages = granted.HasFlag(InitFlags.MaxPages) ? (ushort)(MaxWrite / 4096) : (ushort)0,
        };

        if (NegotiatePassthrough(init, ref reply))
        {
            minor = reply.Minor;
        }

        // Before 7.23 init_out ended after max_write (24 bytes); the kernel rejects a longer reply.
        int size = minor < KernelConstants.MinorWithFullInitOut ? KernelConstants.CompatInitOutSize : Unsafe.SizeOf<InitOut>();
        ProtocolMinor = minor;
        _logger.LogInformation(
            "FUSE INIT: kernel 7.{KernelMinor}, speaking 7.{Minor}, flags 0x{Flags:x}, passthrough {Passthrough}, max_write {MaxWrite}, max_readahead {Readahead}",
            init.Minor, minor, reply.Flags, _passthroughGranted, MaxWrite, init.MaxReadahead);
        Send(req, 0, FuseWire.Bytes(in reply)[..size]);
        _initialized.TrySetResult();
    }
}
