using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace DropboxFs.Core.Crypto;

/// <summary>
/// XSalsa20 keystream (HSalsa20 subkey, then Salsa20/20 with a 64-bit block counter), eight
/// blocks at a time in Vector256 lanes. BouncyCastle's XSalsa20Engine is scalar: ≈4.5 CPU s/GiB,
/// which capped an encrypted mount at about a quarter of a plain one. This is the same function
/// (checked against BouncyCastle and the rclone fixtures in the tests), ≈5x cheaper with AVX2; it
/// falls back to one block at a time where Vector256 is not accelerated or on big-endian machines.
/// </summary>
internal static class XSalsa20
{
    private const uint C0 = 0x61707865, C1 = 0x3320646e, C2 = 0x79622d32, C3 = 0x6b206574; // "expand 32-byte k"
    private const int Lanes = 8;

    /// <summary>The first 32 keystream bytes (NaCl secretbox uses them as the Poly1305 key).</summary>
    public static void FirstBytes(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, Span<byte> first32)
    {
        Span<uint> state = stackalloc uint[16];
        Span<byte> block = stackalloc byte[64];
        Setup(key, nonce, state);
        Block(state, 0, block);
        block[..32].CopyTo(first32);
        CryptographicOperations.ZeroMemory(block);
        state.Clear();
    }

    /// <summary>output = input XOR keystream[32 .. 32 + input.Length) (secretbox's message part).</summary>
    public static void XorFrom32(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<uint> state = stackalloc uint[16];
        Span<byte> block = stackalloc byte[64];
        Setup(key, nonce, state);
        Block(state, 0, block);
        int pos = Math.Min(32, input.Length);
        Xor(input[..pos], block.Slice(32, pos), output);
        ulong counter = 1;
        if (Vector256.IsHardwareAccelerated && BitConverter.IsLittleEndian)
        {
            for (; input.Length - pos >= Lanes * 64; pos += Lanes * 64, counter += Lanes)
            {
                EightBlocksXor(state, counter, input.Slice(pos, Lanes * 64), output.Slice(pos, Lanes * 64));
            }
        }

        for (; pos < input.Length; pos += 64, counter++)
        {
            Block(state, counter, block);
            int n = Math.Min(64, input.Length - pos);
            Xor(input.Slice(pos, n), block[..n], output[pos..]);
        }

        CryptographicOperations.ZeroMemory(block);
        state.Clear();
    }

    /// <summary>Salsa20 state for the HSalsa20 subkey of (key, nonce[0..16)) and nonce[16..24).</summary>
    private static void Setup(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, Span<uint> state)
    {
        Span<uint> h = stackalloc uint[16];
        h[0] = C0; h[5] = C1; h[10] = C2; h[15] = C3;
        for (int i = 0; i < 4; i++)
        {
            h[1 + i] = BinaryPrimitives.ReadUInt32LittleEndian(key[(4 * i)..]);
            h[11 + i] = BinaryPrimitives.ReadUInt32LittleEndian(key[(16 + (4 * i))..]);
            h[6 + i] = BinaryPrimitives.ReadUInt32LittleEndian(nonce[(4 * i)..]);
        }

        Rounds(h);
        state[0] = C0; state[5] = C1; state[10] = C2; state[15] = C3;
        // Subkey = HSalsa20 words 0, 5, 10, 15, 6, 7, 8, 9 (no feed-forward).
        state[1] = h[0]; state[2] = h[5]; state[3] = h[10]; state[4] = h[15];
        state[11] = h[6]; state[12] = h[7]; state[13] = h[8]; state[14] = h[9];
        state[6] = BinaryPrimitives.ReadUInt32LittleEndian(nonce[16..]);
        state[7] = BinaryPrimitives.ReadUInt32LittleEndian(nonce[20..]);
        h.Clear();
    }

    private static void Block(ReadOnlySpan<uint> state, ulong counter, Span<byte> output)
    {
        Span<uint> x = stackalloc uint[16];
        state.CopyTo(x);
        x[8] = (uint)counter;
        x[9] = (uint)(counter >> 32);
        Span<uint> input = stackalloc uint[16];
        x.CopyTo(input);
        Rounds(x);
        for (int i = 0; i < 16; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(output[(4 * i)..], x[i] + input[i]);
        }

        x.Clear();
    }

    private static void Rounds(Span<uint> x)
    {
        for (int i = 0; i < 10; i++)
        {
            x[4] ^= uint.RotateLeft(x[0] + x[12], 7); x[8] ^= uint.RotateLeft(x[4] + x[0], 9);
            x[12] ^= uint.RotateLeft(x[8] + x[4], 13); x[0] ^= uint.RotateLeft(x[12] + x[8], 18);
            x[9] ^= uint.RotateLeft(x[5] + x[1], 7); x[13] ^= uint.RotateLeft(x[9] + x[5], 9);
            x[1] ^= uint.RotateLeft(x[13] + x[9], 13); x[5] ^= uint.RotateLeft(x[1] + x[13], 18);
            x[14] ^= uint.RotateLeft(x[10] + x[6], 7); x[2] ^= uint.RotateLeft(x[14] + x[10], 9);
            x[6] ^= uint.RotateLeft(x[2] + x[14], 13); x[10] ^= uint.RotateLeft(x[6] + x[2], 18);
            x[3] ^= uint.RotateLeft(x[15] + x[11], 7); x[7] ^= uint.RotateLeft(x[3] + x[15], 9);
            x[11] ^= uint.RotateLeft(x[7] + x[3], 13); x[15] ^= uint.RotateLeft(x[11] + x[7], 18);
            x[1] ^= uint.RotateLeft(x[0] + x[3], 7); x[2] ^= uint.RotateLeft(x[1] + x[0], 9);
            x[3] ^= uint.RotateLeft(x[2] + x[1], 13); x[0] ^= uint.RotateLeft(x[3] + x[2], 18);
            x[6] ^= uint.RotateLeft(x[5] + x[4], 7); x[7] ^= uint.RotateLeft(x[6] + x[5], 9);
            x[4] ^= uint.RotateLeft(x[7] + x[6], 13); x[5] ^= uint.RotateLeft(x[4] + x[7], 18);
            x[11] ^= uint.RotateLeft(x[10] + x[9], 7); x[8] ^= uint.RotateLeft(x[11] + x[10], 9);
            x[9] ^= uint.RotateLeft(x[8] + x[11], 13); x[10] ^= uint.RotateLeft(x[9] + x[8], 18);
            x[12] ^= uint.RotateLeft(x[15] + x[14], 7); x[13] ^= uint.RotateLeft(x[12] + x[15], 9);
            x[14] ^= uint.RotateLeft(x[13] + x[12], 13); x[15] ^= uint.RotateLeft(x[14] + x[13], 18);
        }
    }

    private static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> output)
    {
        for (int i = 0; i < a.Length; i++)
        {
            output[i] = (byte)(a[i] ^ b[i]);
        }
    }

    private static Vector256<uint> R(Vector256<uint> v, int n) =>
        Vector256.ShiftLeft(v, n) | Vector256.ShiftRightLogical(v, 32 - n);

    /// <summary>Eight consecutive blocks from <paramref name="counter"/>, lane i = block counter + i.</summary>
    private static void EightBlocksXor(ReadOnlySpan<uint> s, ulong counter, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<uint> lo = stackalloc uint[Lanes];
        Span<uint> hi = stackalloc uint[Lanes];
        for (int i = 0; i < Lanes; i++)
        {
            lo[i] = (uint)(counter + (ulong)i);
            hi[i] = (uint)((counter + (ulong)i) >> 32);
        }

        Vector256<uint> i0 = Vector256.Create(s[0]), i1 = Vector256.Create(s[1]), i2 = Vector256.Create(s[2]), i3 = Vector256.Create(s[3]);
        Vector256<uint> i4 = Vector256.Create(s[4]), i5 = Vector256.Create(s[5]), i6 = Vector256.Create(s[6]), i7 = Vector256.Create(s[7]);
        Vector256<uint> i8 = Vector256.Create<uint>(lo), i9 = Vector256.Create<uint>(hi), i10 = Vector256.Create(s[10]), i11 = Vector256.Create(s[11]);
        Vector256<uint> i12 = Vector256.Create(s[12]), i13 = Vector256.Create(s[13]), i14 = Vector256.Create(s[14]), i15 = Vector256.Create(s[15]);
        Vector256<uint> x0 = i0, x1 = i1, x2 = i2, x3 = i3, x4 = i4, x5 = i5, x6 = i6, x7 = i7;
        Vector256<uint> x8 = i8, x9 = i9, x10 = i10, x11 = i11, x12 = i12, x13 = i13, x14 = i14, x15 = i15;
        for (int r = 0; r < 10; r++)
        {
            x4 ^= R(x0 + x12, 7); x8 ^= R(x4 + x0, 9); x12 ^= R(x8 + x4, 13); x0 ^= R(x12 + x8, 18);
            x9 ^= R(x5 + x1, 7); x13 ^= R(x9 + x5, 9); x1 ^= R(x13 + x9, 13); x5 ^= R(x1 + x13, 18);
            x14 ^= R(x10 + x6, 7); x2 ^= R(x14 + x10, 9); x6 ^= R(x2 + x14, 13); x10 ^= R(x6 + x2, 18);
            x3 ^= R(x15 + x11, 7); x7 ^= R(x3 + x15, 9); x11 ^= R(x7 + x3, 13); x15 ^= R(x11 + x7, 18);
            x1 ^= R(x0 + x3, 7); x2 ^= R(x1 + x0, 9); x3 ^= R(x2 + x1, 13); x0 ^= R(x3 + x2, 18);
            x6 ^= R(x5 + x4, 7); x7 ^= R(x6 + x5, 9); x4 ^= R(x7 + x6, 13); x5 ^= R(x4 + x7, 18);
            x11 ^= R(x10 + x9, 7); x8 ^= R(x11 + x10, 9); x9 ^= R(x8 + x11, 13); x10 ^= R(x9 + x8, 18);
            x12 ^= R(x15 + x14, 7); x13 ^= R(x12 + x15, 9); x14 ^= R(x13 + x12, 13); x15 ^= R(x14 + x13, 18);
        }

        // Word j of lane b is keystream word j of block b: write the 16 vectors, then read them across.
        Span<uint> words = stackalloc uint[16 * Lanes];
        (x0 + i0).CopyTo(words[(0 * Lanes)..]); (x1 + i1).CopyTo(words[(1 * Lanes)..]);
        (x2 + i2).CopyTo(words[(2 * Lanes)..]); (x3 + i3).CopyTo(words[(3 * Lanes)..]);
        (x4 + i4).CopyTo(words[(4 * Lanes)..]); (x5 + i5).CopyTo(words[(5 * Lanes)..]);
        (x6 + i6).CopyTo(words[(6 * Lanes)..]); (x7 + i7).CopyTo(words[(7 * Lanes)..]);
        (x8 + i8).CopyTo(words[(8 * Lanes)..]); (x9 + i9).CopyTo(words[(9 * Lanes)..]);
        (x10 + i10).CopyTo(words[(10 * Lanes)..]); (x11 + i11).CopyTo(words[(11 * Lanes)..]);
        (x12 + i12).CopyTo(words[(12 * Lanes)..]); (x13 + i13).CopyTo(words[(13 * Lanes)..]);
        (x14 + i14).CopyTo(words[(14 * Lanes)..]); (x15 + i15).CopyTo(words[(15 * Lanes)..]);
        var inWords = MemoryMarshal.Cast<byte, uint>(input);
        var outWords = MemoryMarshal.Cast<byte, uint>(output);
        for (int b = 0; b < Lanes; b++)
        {
            for (int j = 0; j < 16; j++)
            {
                outWords[(b * 16) + j] = inWords[(b * 16) + j] ^ words[(j * Lanes) + b];
            }
        }

        words.Clear();
    }
}
