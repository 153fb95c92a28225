using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;

namespace DropboxFs.Core.Crypto;

/// <summary>
/// NaCl crypto_secretbox (XSalsa20-Poly1305) as golang.org/x/crypto/nacl/secretbox lays it out:
/// output = Poly1305 tag (16 bytes) || ciphertext. The first 32 bytes of the XSalsa20 keystream
/// are the one-time Poly1305 key; the message is XORed with the keystream from byte 32 on.
/// Holds reusable engines, so one instance serves one thread (a stream) at a time.
/// </summary>
internal sealed class Secretbox
{
    public const int TagSize = 16;
    private const int PolyKeySize = 32;

    private readonly XSalsa20Engine _salsa = new();
    private readonly Poly1305 _mac = new();
    private readonly KeyParameter _key;
    private readonly byte[] _polyKey = new byte[PolyKeySize];
    private readonly byte[] _tag = new byte[TagSize];

    public Secretbox(byte[] key)
    {
        _key = new KeyParameter(key);
    }

    /// <summary>Seals <paramref name="plain"/> into <paramref name="output"/> (plain.Length + 16 bytes).</summary>
    public void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plain, Span<byte> output)
    {
        if (output.Length < plain.Length + TagSize)
        {
            throw new ArgumentException("Output is shorter than the plaintext plus the 16-byte tag.", nameof(output));
        }

        StartKeystream(nonce);
        Span<byte> body = output.Slice(TagSize, plain.Length);
        _salsa.ProcessBytes(plain, body);
        ComputeTag(body, output[..TagSize]);
    }

    /// <summary>
    /// Verifies the tag of <paramref name="sealedBox"/> and only then decrypts into
    /// <paramref name="output"/> (sealedBox.Length - 16 bytes); false if authentication fails,
    /// in which case <paramref name="output"/> is untouched.
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sealedBox, Span<byte> output)
    {
        if (sealedBox.Length < TagSize)
        {
            return false;
        }

        ReadOnlySpan<byte> body = sealedBox[TagSize..];
        if (output.Length < body.Length)
        {
            throw new ArgumentException("Output is shorter than the sealed box minus its 16-byte tag.", nameof(output));
        }

        StartKeystream(nonce);
        ComputeTag(body, _tag);
        if (!CryptographicOperations.FixedTimeEquals(_tag, sealedBox[..TagSize]))
        {
            return false;
        }

        _salsa.ProcessBytes(body, output[..body.Length]);
        return true;
    }

    private void StartKeystream(ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length != CryptLayout.NonceSize)
        {
            throw new ArgumentException($"The nonce must be {CryptLayout.NonceSize} bytes.", nameof(nonce));
        }

        _salsa.Init(true, new ParametersWithIV(_key, nonce.ToArray()));
        Array.Clear(_polyKey);
        _salsa.ProcessBytes(_polyKey, _polyKey);
    }

    private void ComputeTag(ReadOnlySpan<byte> body, Span<byte> tag)
    {
        _mac.Init(new KeyParameter(_polyKey));
        _mac.BlockUpdate(body);
        _mac.DoFinal(tag);
        Array.Clear(_polyKey);
    }
}
