using System.Text;
using DropboxFs.Core.Crypto;

namespace DropboxFs.Tests.Crypto;

public sealed class NameCipherTests
{
    private static readonly NameCipher s_standard = new(CryptTestKeys.Default, NameEncryptionMode.Standard, encryptDirectoryNames: true);
    private static readonly NameCipher s_obfuscate = new(CryptTestKeys.Default, NameEncryptionMode.Obfuscate, encryptDirectoryNames: true);
    private static readonly NameCipher s_off = new(CryptTestKeys.Default, NameEncryptionMode.Off, encryptDirectoryNames: true);

    // Produced by rclone v1.60.1 (Debian) with the fixture password, writing files to a local
    // crypt remote: these cover EME over 3, 6, 8 and 9 AES blocks, beyond the fixtures' 1 and 2.
    public static TheoryData<string, string> RcloneStandardNames => new()
    {
        { new string('A', 47), "064frtj602obke3p99q6lbmnofdputdtopj2lcr1vgjeqfnt0lmsutj9fhgjbdhehhv77699m8utq" },
        { "The quick brown fox jumps over the lazy dog The quick brown fox jumps over the lazy dog", "8ecguqg8aavlp547pkairl677nqght95d8kvpbbaotrhvv9r7gcct3mnouugtt9bgjnf0t120cjmhon7g6dv0pfd7jm8blr87phui0pu7628ke54fal1a3btckr2pb1omndlgp622fapq9ivmf6hg6it94" },
        { new string('ß', 60) + ".dat", "csrfu80nuvqa8hdlp781gp0e9ilnnp1tr9aku24biigljsr2uon8ttmdtlhmnvuo41k6i6kgnkau5gnvvb5v6m88sr3lmq46m7c4pj5kt0n3f2hb76cbd1147eidnoti4d3reu11r5m8t3dg0gsm8okki48ein9prtgrmc1qcjnd3tdfu3hrc3ho7jv10pb7f9k3mjsf5qmhq" },
        { new string('x', 143), "dq60nv1u9lngj9g8cm7r1mm948me96nfhs4u27pljp8e663kpeqh0uf653gpqhohmrfd98fq0vlgmmmhtj0qdob06d6gkiclsfsjoie2fi6ss9il2dvfp62h0f5ju16v06amrsam3860d7uhn6qomsv0k5llgjba9e0irnordhu81136qp92fdcvg7jicjhl5ugacfncqmi30b5f3ei2rp4sva1a6tc5qea6m0o" },
    };

    // Same origin: quoting of '!', Latin-1, an astral-plane emoji and a half-width katakana.
    public static TheoryData<string, string> RcloneObfuscatedNames => new()
    {
        { "a!b!!c", "137.v!!w!!!!x" },
        { "Zz09 ÿ ñ 😀 ｱ", "30.nN21 ý ï 😴 ﾥ" },
        { new string('ß', 60) + ".dat", "171." + new string('¬', 60) + ".ify" },
    };

    [Theory]
    [MemberData(nameof(RcloneStandardNames))]
    public void StandardNamesMatchRcloneForLongNames(string plain, string stored)
    {
        Assert.Equal(stored, s_standard.EncryptFileName(plain));
        Assert.Equal(plain, s_standard.DecryptFileName(stored));
    }

    [Theory]
    [MemberData(nameof(RcloneObfuscatedNames))]
    public void ObfuscatedNamesMatchRclone(string plain, string stored)
    {
        Assert.Equal(stored, s_obfuscate.EncryptFileName(plain));
        Assert.Equal(plain, s_obfuscate.DecryptFileName(stored));
    }

    [Fact]
    public void TheSecondPasswordSaltsTheNameKey()
    {
        // rclone v1.60.1, password2 "pepper": differs from the fixture's default-salt "2hg60qedesor3egoruk7j32r54".
        var salted = new NameCipher(CryptTestKeys.Salted, NameEncryptionMode.Standard, encryptDirectoryNames: true);
        Assert.Equal("66929haqma6b07p9veimhaop2s", salted.EncryptFileName("hello.txt"));
    }

    [Fact]
    public void RandomNamesRoundTripInEveryModeUpToTheLengthLimit()
    {
        var random = new Random(6);
        string alphabet = "abcXYZ019 !._-~ßéñÿ日本語😀ｱ\u0100\u01FF";
        int[] runes = alphabet.EnumerateRunes().Select(r => r.Value).ToArray();
        for (int i = 0; i < 400; i++)
        {
            var builder = new StringBuilder();
            int length = random.Next(1, 60);
            for (int j = 0; j < length; j++)
            {
                builder.Append(char.ConvertFromUtf32(runes[random.Next(runes.Length)]));
            }

            string name = builder.ToString();
            foreach (NameCipher cipher in new[] { s_standard, s_obfuscate, s_off })
            {
                bool fits = cipher.TryEncryptFileName(name, out string stored);
                if (!fits)
                {
                    Assert.Equal(NameEncryptionMode.Standard, cipher.Mode); // only EME+base32 grows a 60-rune name past 255 bytes
                    Assert.Throws<CryptNameTooLongException>(() => cipher.EncryptFileName(name));
                }
                else
                {
                    Assert.True(cipher.TryDecryptFileName(stored, out string back));
                    Assert.Equal(name, back);
                    Assert.InRange(Encoding.UTF8.GetByteCount(stored), 1, NameCipher.MaxEncryptedNameBytes);
                }
            }
        }
    }

    [Fact]
    public void StandardNameLengthLimitIsAt143Bytes()
    {
        for (int bytes = 1; bytes <= 200; bytes++)
        {
            string name = new('q', bytes);
            bool fits = s_standard.TryEncryptFileName(name, out string stored);
            Assert.Equal(bytes <= 143, fits);
            if (fits)
            {
                Assert.Equal(((((bytes / 16) + 1) * 16 * 8) + 4) / 5, stored.Length);
                Assert.Equal(name, s_standard.DecryptFileName(stored));
            }
            else
            {
                Assert.Throws<CryptNameTooLongException>(() => s_standard.EncryptFileName(name));
                Assert.Throws<CryptNameTooLongException>(() => s_standard.EncryptDirectoryName(name));
            }
        }
    }

    [Fact]
    public void ObfuscatedAndOffNamesAreLimitedTo255Bytes()
    {
        for (int length = 240; length <= 260; length++)
        {
            string name = new('a', length);
            Assert.True(s_obfuscate.TryEncryptFileName(name, out _) == (Encoding.UTF8.GetByteCount(Obfuscated(name)) <= 255));
            Assert.Equal(length + 4 <= 255, s_off.TryEncryptFileName(name, out _));
            Assert.Equal(length <= 255, s_off.TryEncryptDirectoryName(name, out _));
        }

        static string Obfuscated(string name) => $"{name.Length * 'a' % 256}.{name}";
    }

    [Fact]
    public void NamesWithACommonPrefixShareNoEncryptedPrefix()
    {
        string a = s_standard.EncryptFileName("Quarterly report 2024 - draft A.docx");
        string b = s_standard.EncryptFileName("Quarterly report 2024 - draft B.docx");
        Assert.Equal(a.Length, b.Length);
        Assert.NotEqual(a[..4], b[..4]); // EME: the last byte changes every block
    }

    [Fact]
    public void StandardDecryptionIgnoresCaseBecauseDropboxDoes()
    {
        Assert.Equal("hello.txt", s_standard.DecryptFileName("2HG60QEDESOR3EGORUK7J32R54"));
    }

    [Theory]
    [InlineData("hello.txt")]                        // '.' is not base32hex
    [InlineData("2hg60qedesor3egoruk7j32r5")]         // 25 characters: not a whole block
    [InlineData("2hg60qedesor3egoruk7j32r54a")]       // 27 characters: impossible base32 length
    [InlineData("2hg60qedesor3egoruk7j32r55")]        // same bytes, but non-zero trailing bits: not canonical
    [InlineData("2hg60qedfsor3egoruk7j32r54")]        // one character off: decrypts to garbage
    [InlineData("2hg60qedesor3egoruk7j32r54=")]
    [InlineData("2hg60qedesor3egoruk7j32r54 (conflicted copy)")]
    public void StandardRejectsNamesItDidNotProduce(string stored)
    {
        Assert.False(s_standard.TryDecryptFileName(stored, out _));
        Assert.Throws<CryptNameException>(() => s_standard.DecryptFileName(stored));
    }

    [Theory]
    [InlineData("report.pdf")]          // no number
    [InlineData("noDotAtAll")]
    [InlineData("256.abc")]             // checksum out of range
    [InlineData("+12.abc")]
    [InlineData("12.abc")]              // checksum does not match the decoded name
    [InlineData("137.v!!w!!!!x!")]      // dangling quote
    public void ObfuscateRejectsNamesItDidNotProduce(string stored)
    {
        Assert.False(s_obfuscate.TryDecryptFileName(stored, out _));
    }

    [Fact]
    public void OffModeAppendsBinToFilesOnly()
    {
        Assert.Equal("a.txt.bin", s_off.EncryptFileName("a.txt"));
        Assert.Equal("Folder One", s_off.EncryptDirectoryName("Folder One"));
        Assert.False(s_off.EncryptDirectoryNames);
        Assert.Equal("a.txt", s_off.DecryptFileName("a.txt.bin"));
        Assert.False(s_off.TryDecryptFileName(".bin", out _));
        Assert.False(s_off.TryDecryptFileName("a.txt", out _));
        Assert.False(s_off.TryDecryptFileName("a.txt.BIN", out _));
    }

    [Fact]
    public void DirectoryNamesStayPlainWhenDirectoryEncryptionIsOff()
    {
        var cipher = new NameCipher(CryptTestKeys.Default, NameEncryptionMode.Standard, encryptDirectoryNames: false);
        Assert.Equal("Folder One", cipher.EncryptDirectoryName("Folder One"));
        Assert.Equal("Folder One", cipher.DecryptDirectoryName("Folder One"));
        Assert.Equal("2hg60qedesor3egoruk7j32r54", cipher.EncryptFileName("hello.txt"));
        Assert.Equal("72cmomrgdmvsmb08m234id9pk0", s_standard.EncryptDirectoryName("Folder One"));
    }

    [Fact]
    public void AWrongPasswordDecryptsNoFixtureName()
    {
        var wrongStandard = new NameCipher(CryptTestKeys.Wrong, NameEncryptionMode.Standard, encryptDirectoryNames: true);
        foreach (string stored in CryptFixtures.RelativeFiles(Path.Combine(CryptFixtures.Root, "standard")).SelectMany(p => p.Split('/')))
        {
            Assert.False(wrongStandard.TryDecryptFileName(stored, out _), stored);
        }

        var wrongObfuscate = new NameCipher(CryptTestKeys.Wrong, NameEncryptionMode.Obfuscate, encryptDirectoryNames: false);
        int decoded = CryptFixtures.RelativeFiles(Path.Combine(CryptFixtures.Root, "obfuscate-plaindirs"))
            .Count(p => wrongObfuscate.TryDecryptFileName(p.Split('/')[^1], out _));
        Assert.Equal(0, decoded);
    }

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\0b")]
    public void StoredNamesThatDecryptToDotsOrSeparatorsAreRejected(string crafted)
    {
        // Craft the stored names with the right key, as a hostile folder could.
        CryptKeys keys = CryptTestKeys.Default;
        byte[] padded = Pkcs7.Pad(Encoding.UTF8.GetBytes(crafted));
        string standard = Base32Hex.Encode(Eme.Transform(keys.NameKey, keys.NameTweak, padded, encrypt: true));
        Assert.False(s_standard.TryDecryptFileName(standard, out string name));
        Assert.Equal("", name);
        Assert.False(s_standard.TryDecryptDirectoryName(standard, out _));
        Assert.False(s_off.TryDecryptFileName(crafted + ".bin", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    public void NamesMustBeOneNonEmptySegment(string name)
    {
        Assert.Throws<ArgumentException>(() => s_standard.EncryptFileName(name));
        Assert.Throws<ArgumentException>(() => s_obfuscate.TryEncryptDirectoryName(name, out _));
    }
}
