using DropboxFs.Core.Crypto;

namespace DropboxFs.Tests.Crypto;

public sealed class CryptKeysTests
{
    // Expected key material computed independently with Python's hashlib.scrypt (OpenSSL):
    // scrypt(password, salt, N=16384, r=8, p=1, dklen=80).
    private const string DefaultSaltMaterial =
        "7c88752cf3db1a2ea4835274f5dee9a3c01f8ca0d78fb307c824e364941ff47b" +
        "c017a5d73b8a13da3257bf928cd74c5e801e9989c3b7a0c373298a9b275a307b" +
        "bfd82eaeea770b00f282a312d8a8c4c7";

    private const string PepperSaltMaterial =
        "513ef10217314d662ed01de0a53738df8b5e701770ac79107fa02ffd4ad1ee2c" +
        "3baf3ee89e936ee56f8e3b8282c21602d8b83efa05b486dc2e253157900ff50d" +
        "c07b0a99396412132e8b4345458359f7";

    [Fact]
    public void DefaultSaltKeysSplitIntoDataKeyNameKeyAndTweak()
    {
        AssertMaterial(DefaultSaltMaterial, CryptTestKeys.Default);
    }

    [Fact]
    public void TheSecondPasswordIsUsedAsTheRawSalt()
    {
        AssertMaterial(PepperSaltMaterial, CryptTestKeys.Salted);
    }

    [Fact]
    public void AnEmptySecondPasswordMeansTheDefaultSalt()
    {
        // One more scrypt run (~0.1 s) on purpose: "" must not be used as a zero-length salt.
        AssertMaterial(DefaultSaltMaterial, CryptKeys.Derive(CryptTestKeys.Password, ""));
    }

    [Fact]
    public void AnEmptyPasswordIsRefusedRatherThanGivingAllZeroKeys()
    {
        Assert.Throws<ArgumentException>(() => CryptKeys.Derive("", null));
    }

    [Fact]
    public void KeyMaterialMustBeEightyBytes()
    {
        Assert.Throws<ArgumentException>(() => CryptKeys.FromKeyMaterial(new byte[79]));
        CryptKeys keys = CryptKeys.FromKeyMaterial(Convert.FromHexString(DefaultSaltMaterial));
        Assert.Equal("2hg60qedesor3egoruk7j32r54", new NameCipher(keys, NameEncryptionMode.Standard, true).EncryptFileName("hello.txt"));
    }

    private static void AssertMaterial(string hex, CryptKeys keys)
    {
        byte[] expected = Convert.FromHexString(hex);
        Assert.Equal(expected[..32], keys.DataKey.ToArray());
        Assert.Equal(expected[32..64], keys.NameKey.ToArray());
        Assert.Equal(expected[64..], keys.NameTweak.ToArray());
    }
}
