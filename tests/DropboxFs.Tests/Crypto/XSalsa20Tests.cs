using DropboxFs.Core.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace DropboxFs.Tests.Crypto;

/// <summary>The vectorised XSalsa20 against BouncyCastle's reference engine, byte for byte.</summary>
public sealed class XSalsa20Tests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(32 + 511)]
    [InlineData(32 + 512)] // exactly one run of eight blocks after the first
    [InlineData(32 + 513)]
    [InlineData(5000)]
    [InlineData(65536)] // one full rclone block
    public void KeystreamMatchesBouncyCastleForEveryLength(int length)
    {
        var random = new Random(length);
        byte[] key = new byte[32], nonce = new byte[24], input = new byte[length];
        random.NextBytes(key);
        random.NextBytes(nonce);
        random.NextBytes(input);

        // Reference: keystream bytes [0, 32) are the Poly1305 key, the message takes [32, …).
        var engine = new XSalsa20Engine();
        engine.Init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        byte[] first = new byte[32];
        engine.ProcessBytes(first, 0, 32, first, 0);
        byte[] expected = new byte[length];
        engine.ProcessBytes(input, 0, length, expected, 0);

        byte[] actualFirst = new byte[32];
        byte[] actual = new byte[length];
        XSalsa20.FirstBytes(key, nonce, actualFirst);
        XSalsa20.XorFrom32(key, nonce, input, actual);

        Assert.Equal(first, actualFirst);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void InPlaceXorGivesTheSameBytes()
    {
        byte[] key = new byte[32], nonce = new byte[24], data = new byte[10_000];
        new Random(3).NextBytes(data);
        byte[] copy = data.ToArray();
        byte[] expected = new byte[data.Length];
        XSalsa20.XorFrom32(key, nonce, data, expected);
        XSalsa20.XorFrom32(key, nonce, copy, copy);
        Assert.Equal(expected, copy);
    }
}
