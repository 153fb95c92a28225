using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Fuse.Protocol;

/// <summary>Byte-level encoding and decoding of FUSE messages. Pure functions, tested on buffers.</summary>
internal static class FuseWire
{
    public const int InHeaderSize = 40;
    public const int OutHeaderSize = 16;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads a struct from the start of <paramref name="source"/>; a shorter body (older kernels) is zero-extended.</summary>
    public static T Read<T>(ReadOnlySpan<byte> source)
        where T : unmanaged
    {
        int size = Unsafe.SizeOf<T>();
        if (source.Length >= size)
        {
            return MemoryMarshal.Read<T>(source);
        }

        T value = default;
        source.CopyTo(MemoryMarshal.AsBytes(new Span<T>(ref value)));
        return value;
    }

    public static ReadOnlySpan<byte> Bytes<T>(ref readonly T value)
        where T : unmanaged => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value));

    /// <summary>Decodes a NUL-terminated UTF-8 name; returns the bytes after the terminator in <paramref name="rest"/>.</summary>
    public static string ReadName(ReadOnlySpan<byte> source, out ReadOnlySpan<byte> rest)
    {
        int end = source.IndexOf((byte)0);
        if (end < 0)
        {
            throw new FsException(FsError.InvalidArgument, "name without NUL terminator");
        }

        rest = source[(end + 1)..];
        try
        {
            return s_strictUtf8.GetString(source[..end]);
        }
        catch (DecoderFallbackException e)
        {
            // Dropbox names are Unicode; a byte sequence that is not UTF-8 cannot name anything there.
            throw new FsException(FsError.InvalidName, "name is not valid UTF-8", e);
        }
    }

    public static string ReadName(ReadOnlySpan<byte> source) => ReadName(source, out _);

    public static void WriteOutHeader(Span<byte> destination, ulong unique, int negativeErrorOrCode, int totalLength)
    {
        var header = new OutHeader { Len = (uint)totalLength, Error = negativeErrorOrCode, Unique = unique };
        MemoryMarshal.Write(destination, in header);
    }

    /// <summary>Sends a reply: error is a positive errno or 0.</summary>
    public static int Reply(IFuseChannel channel, ulong unique, int errno, ReadOnlySpan<byte> body = default, ReadOnlySpan<byte> payload = default)
    {
        Span<byte> header = stackalloc byte[OutHeaderSize];
        WriteOutHeader(header, unique, -errno, OutHeaderSize + body.Length + payload.Length);
        return channel.Write(header, body, payload);
    }

    public static int DirentSize(int nameLength) => Align8(Unsafe.SizeOf<Dirent>() + nameLength);

    public static int DirentplusSize(int nameLength) => Align8(Unsafe.SizeOf<Direntplus>() + nameLength);

    /// <summary>Appends a fuse_dirent; returns the bytes used, or 0 when it does not fit.</summary>
    public static int AppendDirent(Span<byte> destination, ulong ino, ulong nextOffset, uint type, ReadOnlySpan<byte> name)
    {
        int size = DirentSize(name.Length);
        if (size > destination.Length)
        {
            return 0;
        }

        var dirent = new Dirent { Ino = ino, Off = nextOffset, Namelen = (uint)name.Length, Type = type };
        MemoryMarshal.Write(destination, in dirent);
        WriteName(destination[Unsafe.SizeOf<Dirent>()..size], name);
        return size;
    }

    /// <summary>Appends a fuse_direntplus; returns the bytes used, or 0 when it does not fit.</summary>
    public static int AppendDirentplus(Span<byte> destination, in EntryOut entry, ulong ino, ulong nextOffset, uint type, ReadOnlySpan<byte> name)
    {
        int size = DirentplusSize(name.Length);
        if (size > destination.Length)
        {
            return 0;
        }

        var plus = new Direntplus
        {
            EntryOut = entry,
            Dirent = new Dirent { Ino = ino, Off = nextOffset, Namelen = (uint)name.Length, Type = type },
        };
        MemoryMarshal.Write(destination, in plus);
        WriteName(destination[Unsafe.SizeOf<Direntplus>()..size], name);
        return size;
    }

    private static void WriteName(Span<byte> destination, ReadOnlySpan<byte> name)
    {
        name.CopyTo(destination);
        destination[name.Length..].Clear(); // padding bytes go to the kernel: never leak old buffer contents
    }

    private static int Align8(int value) => (value + 7) & ~7;
}
