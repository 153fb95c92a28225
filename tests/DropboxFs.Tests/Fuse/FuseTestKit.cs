using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse;
using DropboxFs.Fuse.Protocol;
using DropboxFs.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Tests.Fuse;

/// <summary>A channel that captures every message as bytes; replies may arrive from any thread.</summary>
internal sealed class CapturingChannel : IFuseChannel
{
    private readonly Channel<byte[]> _messages = Channel.CreateUnbounded<byte[]>();

    public int Write(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body, ReadOnlySpan<byte> payload)
    {
        _messages.Writer.TryWrite([.. header, .. body, .. payload]);
        return 0;
    }

    public async Task<Reply> NextAsync()
    {
        byte[] bytes = await _messages.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return new Reply(bytes);
    }

    public bool HasMessage => _messages.Reader.TryPeek(out _);

    /// <summary>errno for FUSE_DEV_IOC_BACKING_OPEN; ENOSYS (as a channel without passthrough) unless a test sets 0.</summary>
    public int BackingErrno { get; set; } = Errno.ENOSYS;

    /// <summary>Paths registered as backing files, in order; the id of entry i is i + 1.</summary>
    public List<string> BackingOpened { get; } = [];

    public List<int> BackingClosed { get; } = [];

    public int OpenBacking(string path, out int backingId)
    {
        lock (BackingOpened)
        {
            backingId = 0;
            if (BackingErrno != 0)
            {
                return BackingErrno;
            }

            BackingOpened.Add(path);
            backingId = BackingOpened.Count;
            return 0;
        }
    }

    public int CloseBacking(int backingId)
    {
        lock (BackingOpened)
        {
            BackingClosed.Add(backingId);
            return 0;
        }
    }
}

/// <summary>A captured reply: out_header plus body.</summary>
internal sealed class Reply(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    public OutHeader Header => MemoryMarshal.Read<OutHeader>(Bytes);

    public int Error => Header.Error;

    public ReadOnlySpan<byte> Body => Bytes.AsSpan(FuseWire.OutHeaderSize);

    public T As<T>()
        where T : unmanaged => FuseWire.Read<T>(Body); // short bodies (old-minor replies) are zero-extended
}

/// <summary>Builds request buffers as the kernel would send them, and runs them through a dispatcher.</summary>
internal sealed class DispatcherHarness
{
    private ulong _unique = 100;

    public DispatcherHarness(IFileSystem fs, TimeSpan? negativeTimeout = null, bool passthrough = false)
    {
        var attrs = new FuseAttributes(1234, 5678, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), negativeTimeout ?? TimeSpan.FromSeconds(1));
        Dispatcher = new FuseDispatcher(fs, attrs, NullLogger.Instance, TimeProvider.System) { PassthroughWanted = passthrough };
    }

    public FuseDispatcher Dispatcher { get; }

    /// <summary>A harness over a fresh MemoryFileSystem, with INIT already done.</summary>
    public static async Task<(DispatcherHarness H, MemoryFileSystem Fs)> StartAsync(TimeSpan? negativeTimeout = null)
    {
        var fs = new MemoryFileSystem();
        var h = new DispatcherHarness(fs, negativeTimeout);
        await h.InitAsync();
        return (h, fs);
    }

    public CapturingChannel Channel { get; } = new();

    public ulong LastUnique => _unique;

    public static byte[] Message(FuseOpcode opcode, ulong unique, ulong node, ReadOnlySpan<byte> body)
    {
        var header = new InHeader { Len = (uint)(FuseWire.InHeaderSize + body.Length), Opcode = (uint)opcode, Unique = unique, Nodeid = node, Uid = 1, Gid = 1, Pid = 42 };
        return [.. FuseWire.Bytes(in header), .. body];
    }

    public static byte[] Struct<T>(T value)
        where T : unmanaged => FuseWire.Bytes(in value).ToArray();

    public static byte[] Name(string name) => [.. Encoding.UTF8.GetBytes(name), 0];

    public ulong Send(FuseOpcode opcode, ulong node, params byte[][] parts)
    {
        ulong unique = _unique += 2;
        Dispatcher.Dispatch(Message(opcode, unique, node, parts.SelectMany(p => p).ToArray()), Channel);
        return unique;
    }

    public async Task<Reply> CallAsync(FuseOpcode opcode, ulong node, params byte[][] parts)
    {
        ulong unique = Send(opcode, node, parts);
        var reply = await Channel.NextAsync();
        Assert.Equal(unique, reply.Header.Unique);
        Assert.Equal((uint)reply.Bytes.Length, reply.Header.Len);
        return reply;
    }

    /// <summary>INIT as kernel 7.45 sends it (offer measured on the project VM).</summary>
    public async Task<Reply> InitAsync(uint minor = 45, uint flags = 0xfffffffb, uint flags2 = 0)
    {
        var init = new InitIn { Major = 7, Minor = minor, MaxReadahead = 131072, Flags = flags, Flags2 = flags2 };
        return await CallAsync(FuseOpcode.Init, 0, Struct(init));
    }

    public static int SizeOf<T>()
        where T : unmanaged => Unsafe.SizeOf<T>();
}
