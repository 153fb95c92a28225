using System.Text;
using DropboxFs.Core.Crypto;

namespace DropboxFs.Tests.Crypto;

/// <summary>The three rclone 1.60.1 fixture folders decrypt to plain/, and plain/ encrypts to their exact names.</summary>
public sealed class FixtureFolderTests
{
    // 144 bytes: PKCS#7 pads it to 160, which base32-encodes to 256 characters, one over the limit.
    private static readonly string s_longName = new string('n', 140) + ".txt";

    public static TheoryData<string> Folders => new() { "standard", "off-salted", "obfuscate-plaindirs" };

    [Theory]
    [MemberData(nameof(Folders))]
    public void EveryStoredFileDecryptsToTheExactPlaintextNameAndContent(string folder)
    {
        (NameCipher names, CryptKeys keys) = CipherFor(folder);
        string root = Path.Combine(CryptFixtures.Root, folder);
        var decryptedPaths = new List<string>();
        foreach (string stored in CryptFixtures.RelativeFiles(root))
        {
            string plainPath = DecryptPath(names, stored);
            decryptedPaths.Add(plainPath);
            byte[] expected = CryptFixtures.ReadPlain(plainPath);

            using var decrypting = new DecryptingStream(File.OpenRead(Path.Combine(root, stored)), keys);
            using var actual = new MemoryStream();
            decrypting.CopyTo(actual);
            Assert.Equal(expected, actual.ToArray());
            Assert.Equal(expected.LongLength, CryptLayout.DecryptedSize(new FileInfo(Path.Combine(root, stored)).Length));
        }

        var expectedPaths = CryptFixtures.PlainFiles().Where(p => folder != "standard" || p != s_longName).ToList();
        Assert.Equal(expectedPaths, decryptedPaths.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public async Task EveryStoredFileDecryptsBlockByBlockAndAsync(string folder)
    {
        (NameCipher names, CryptKeys keys) = CipherFor(folder);
        string root = Path.Combine(CryptFixtures.Root, folder);
        foreach (string stored in CryptFixtures.RelativeFiles(root))
        {
            byte[] expected = CryptFixtures.ReadPlain(DecryptPath(names, stored));
            byte[] cipher = await File.ReadAllBytesAsync(Path.Combine(root, stored));

            // Random access: every block on its own, given only the header's nonce.
            byte[] nonce = CryptContent.ReadHeader(cipher);
            byte[] plain = new byte[expected.Length];
            for (long i = 0; i < CryptLayout.BlockCount(expected.Length); i++)
            {
                int offset = (int)CryptLayout.CipherOffsetOfBlock(i);
                int length = CryptLayout.CipherBlockLength(i, expected.Length);
                int written = CryptContent.DecryptBlock(keys, nonce, i, cipher.AsSpan(offset, length), plain.AsSpan((int)CryptLayout.PlainOffsetOfBlock(i)));
                Assert.Equal(CryptLayout.PlainBlockLength(i, expected.Length), written);
            }

            Assert.Equal(expected, plain);

            await using var decrypting = new DecryptingStream(new MemoryStream(cipher), keys);
            using var actual = new MemoryStream();
            await decrypting.CopyToAsync(actual, 1000); // odd buffer size: reads straddle blocks
            Assert.Equal(expected, actual.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void EveryPlainPathEncryptsToTheStoredNameByteForByte(string folder)
    {
        (NameCipher names, _) = CipherFor(folder);
        string root = Path.Combine(CryptFixtures.Root, folder);
        // Compared as UTF-8 bytes in hex, so a normalisation or case difference cannot hide.
        var stored = CryptFixtures.RelativeFiles(root).Select(Utf8Hex).Order(StringComparer.Ordinal).ToList();
        var encrypted = CryptFixtures.PlainFiles()
            .Where(p => folder != "standard" || p != s_longName)
            .Select(p => Utf8Hex(EncryptPath(names, p)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(stored, encrypted);
    }

    [Fact]
    public void TheLongFixtureNameIsTooLongInStandardModeAndFitsInTheOthers()
    {
        Assert.Equal(144, Encoding.UTF8.GetByteCount(s_longName));
        (NameCipher standard, _) = CipherFor("standard");
        Assert.False(standard.TryEncryptFileName(s_longName, out string refused));
        Assert.Equal("", refused);
        var ex = Assert.Throws<CryptNameTooLongException>(() => standard.EncryptFileName(s_longName));
        Assert.Equal(256, ex.EncryptedBytes);

        // One byte shorter pads to 144 bytes = 231 characters, which fits.
        Assert.True(standard.TryEncryptFileName(s_longName[1..], out string fits));
        Assert.Equal(231, fits.Length);

        Assert.Equal(s_longName + ".bin", CipherFor("off-salted").Names.EncryptFileName(s_longName));
        Assert.StartsWith("182.", CipherFor("obfuscate-plaindirs").Names.EncryptFileName(s_longName), StringComparison.Ordinal);
    }

    [Fact]
    public void TheWorkedExampleOfTheReadmeHolds()
    {
        // Crypto/README.md walks through hello.txt in standard/; keep the two in step.
        (NameCipher names, CryptKeys keys) = CipherFor("standard");
        Assert.Equal("2hg60qedesor3egoruk7j32r54", names.EncryptFileName("hello.txt"));
        byte[] cipher = File.ReadAllBytes(Path.Combine(CryptFixtures.Root, "standard", "2hg60qedesor3egoruk7j32r54"));
        Assert.Equal(61, cipher.Length);
        Assert.Equal("RCLONE\0\0"u8.ToArray(), cipher[..8]);
        byte[] plain = new byte[13];
        CryptContent.DecryptBlock(keys, cipher.AsSpan(8, 24), 0, cipher.AsSpan(32), plain);
        Assert.Equal(CryptFixtures.ReadPlain("hello.txt"), plain);
    }

    internal static (NameCipher Names, CryptKeys Keys) CipherFor(string folder) => folder switch
    {
        "standard" => (new NameCipher(CryptTestKeys.Default, NameEncryptionMode.Standard, encryptDirectoryNames: true), CryptTestKeys.Default),
        "off-salted" => (new NameCipher(CryptTestKeys.Salted, NameEncryptionMode.Off, encryptDirectoryNames: true), CryptTestKeys.Salted),
        "obfuscate-plaindirs" => (new NameCipher(CryptTestKeys.Default, NameEncryptionMode.Obfuscate, encryptDirectoryNames: false), CryptTestKeys.Default),
        _ => throw new ArgumentOutOfRangeException(nameof(folder)),
    };

    private static string DecryptPath(NameCipher names, string stored)
    {
        string[] segments = stored.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            segments[i] = i == segments.Length - 1 ? names.DecryptFileName(segments[i]) : names.DecryptDirectoryName(segments[i]);
        }

        return string.Join('/', segments);
    }

    private static string EncryptPath(NameCipher names, string plain)
    {
        string[] segments = plain.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            segments[i] = i == segments.Length - 1 ? names.EncryptFileName(segments[i]) : names.EncryptDirectoryName(segments[i]);
        }

        return string.Join('/', segments);
    }

    private static string Utf8Hex(string text) => Convert.ToHexString(Encoding.UTF8.GetBytes(text));
}
