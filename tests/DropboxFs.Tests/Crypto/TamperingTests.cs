using DropboxFs.Core.Crypto;

namespace DropboxFs.Tests.Crypto;

/// <summary>Changed, cut, reordered or wrongly keyed ciphertext throws; it never yields wrong bytes.</summary>
public sealed class TamperingTests
{
    private const int B = CryptLayout.BlockDataSize;
    private static readonly byte[] s_plain = ContentCipherTests.RandomBytes(200000, 7);
    private static readonly byte[] s_cipher = ContentCipherTests.Encrypt(s_plain);

    public static TheoryData<int, long> FlippedBytes => new()
    {
        // stored offset of the flipped byte, block that must fail
        { 8, 0 },                                   // nonce: every block's nonce changes, block 0 fails first
        { 31, 0 },
        { 32, 0 },                                  // tag of block 0
        { 48, 0 },                                  // first data byte
        { 32 + 65551, 0 },                          // last byte of block 0
        { 32 + 65552, 1 },                          // tag of block 1
        { 32 + (2 * 65552) + 100, 2 },
        { 200095, 3 },                              // last byte of the file
    };

    [Theory]
    [MemberData(nameof(FlippedBytes))]
    public void AFlippedByteFailsItsBlockAndNothingWrongIsReturned(int offset, long failingBlock)
    {
        byte[] cipher = (byte[])s_cipher.Clone();
        cipher[offset] ^= 0x01;

        byte[] returned = ReadUntilFailure(new DecryptingStream(new MemoryStream(cipher), CryptTestKeys.Default), out Exception? failure);
        var auth = Assert.IsType<CryptAuthenticationException>(failure);
        Assert.Equal(failingBlock, auth.BlockIndex);
        Assert.Equal(failingBlock * B, returned.Length); // exactly the good blocks before it
        Assert.Equal(s_plain[..returned.Length], returned);

        byte[] nonce = CryptContent.ReadHeader(cipher);
        int start = (int)CryptLayout.CipherOffsetOfBlock(failingBlock);
        int length = CryptLayout.CipherBlockLength(failingBlock, s_plain.Length);
        byte[] output = new byte[length - 16];
        Assert.Throws<CryptAuthenticationException>(() => CryptContent.DecryptBlock(CryptTestKeys.Default, nonce, failingBlock, cipher.AsSpan(start, length), output));
        Assert.All(output, b => Assert.Equal(0, b)); // nothing written on failure
    }

    [Fact]
    public void AFlippedMagicByteIsNotAnEncryptedFile()
    {
        byte[] cipher = (byte[])s_cipher.Clone();
        cipher[0] ^= 0x20;
        ReadUntilFailure(new DecryptingStream(new MemoryStream(cipher), CryptTestKeys.Default), out Exception? failure);
        Assert.IsType<CryptFormatException>(failure);
        Assert.Throws<CryptFormatException>(() => CryptContent.ReadHeader(cipher));
    }

    [Theory]
    [InlineData(1)]          // last block loses its last byte: its tag no longer matches
    [InlineData(1000)]
    [InlineData(200000 + 96 - (32 + (3 * 65552)) - 17)] // last block keeps 17 bytes: tag + 1 byte
    public void ATruncatedLastBlockFailsAuthentication(int cut)
    {
        byte[] cipher = s_cipher[..^cut];
        byte[] returned = ReadUntilFailure(new DecryptingStream(new MemoryStream(cipher), CryptTestKeys.Default), out Exception? failure);
        Assert.Equal(3, Assert.IsType<CryptAuthenticationException>(failure).BlockIndex);
        Assert.Equal(s_plain[..(3 * B)], returned);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    public void ALastBlockTooShortForItsTagIsAFormatError(int keep)
    {
        byte[] cipher = s_cipher[..((int)CryptLayout.CipherOffsetOfBlock(3) + keep)];
        ReadUntilFailure(new DecryptingStream(new MemoryStream(cipher), CryptTestKeys.Default), out Exception? failure);
        Assert.IsType<CryptFormatException>(failure);
        Assert.False(CryptLayout.TryGetDecryptedSize(cipher.Length, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    public void AFileShorterThanTheHeaderIsAFormatError(int length)
    {
        ReadUntilFailure(new DecryptingStream(new MemoryStream(s_cipher[..length]), CryptTestKeys.Default), out Exception? failure);
        Assert.IsType<CryptFormatException>(failure);
    }

    [Fact]
    public void SwappedBlocksFailBecauseTheNonceBindsThePosition()
    {
        byte[] cipher = (byte[])s_cipher.Clone();
        int a = (int)CryptLayout.CipherOffsetOfBlock(0);
        int b = (int)CryptLayout.CipherOffsetOfBlock(1);
        s_cipher.AsSpan(b, CryptLayout.BlockSize).CopyTo(cipher.AsSpan(a));
        s_cipher.AsSpan(a, CryptLayout.BlockSize).CopyTo(cipher.AsSpan(b));
        byte[] returned = ReadUntilFailure(new DecryptingStream(new MemoryStream(cipher), CryptTestKeys.Default), out Exception? failure);
        Assert.Equal(0, Assert.IsType<CryptAuthenticationException>(failure).BlockIndex);
        Assert.Empty(returned);
    }

    [Fact]
    public void AFailedStreamKeepsFailing()
    {
        byte[] cipher = (byte[])s_cipher.Clone();
        cipher[40] ^= 0x80;
        using var stream = new DecryptingStream(new MemoryStream(cipher), CryptTestKeys.Default);
        byte[] buffer = new byte[100];
        Assert.Throws<CryptAuthenticationException>(() => stream.Read(buffer));
        Assert.Throws<CryptAuthenticationException>(() => stream.Read(buffer));
    }

    [Theory]
    [InlineData("standard", "2hg60qedesor3egoruk7j32r54")]
    [InlineData("standard", "1r1h3oempbpps650s549j2aek4")]
    [InlineData("off-salted", "one-byte.bin.bin")]
    public void AWrongPasswordFailsTheFirstBlock(string folder, string file)
    {
        byte[] cipher = File.ReadAllBytes(Path.Combine(CryptFixtures.Root, folder, file));
        byte[] returned = ReadUntilFailure(new DecryptingStream(new MemoryStream(cipher), CryptTestKeys.Wrong), out Exception? failure);
        Assert.Equal(0, Assert.IsType<CryptAuthenticationException>(failure).BlockIndex);
        Assert.Empty(returned);

        // The salt is part of the key: the right password with the wrong salt fails as well.
        CryptKeys otherSalt = folder == "standard" ? CryptTestKeys.Salted : CryptTestKeys.Default;
        ReadUntilFailure(new DecryptingStream(new MemoryStream(cipher), otherSalt), out failure);
        Assert.IsType<CryptAuthenticationException>(failure);
    }

    private static byte[] ReadUntilFailure(Stream stream, out Exception? failure)
    {
        var output = new MemoryStream();
        failure = null;
        try
        {
            byte[] buffer = new byte[5000];
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                output.Write(buffer, 0, read);
            }
        }
        catch (CryptException ex)
        {
            failure = ex;
        }
        finally
        {
            stream.Dispose();
        }

        return output.ToArray();
    }
}
