using System.Text;
using Org.BouncyCastle.Crypto.Generators;

namespace DropboxFs.Core.Crypto;

/// <summary>
/// The three keys of an rclone crypt remote, derived once from the password (and optional
/// second password, used as the salt). Immutable and safe to share between threads.
/// </summary>
public sealed class CryptKeys
{
    /// <summary>32-byte data key + 32-byte name key + 16-byte name tweak.</summary>
    public const int KeyMaterialSize = DataKeySize + NameKeySize + NameTweakSize;

    internal const int DataKeySize = 32;
    internal const int NameKeySize = 32;
    internal const int NameTweakSize = 16;

    // rclone's scrypt cost: N=2^14, r=8, p=1 costs ~16 MiB of memory and 50–100 ms of CPU,
    // so callers derive once per mount, never per file.
    private const int ScryptN = 16384;
    private const int ScryptR = 8;
    private const int ScryptP = 1;

    // rclone's built-in salt, used when no second password is configured.
    private static readonly byte[] s_defaultSalt =
        [0xA8, 0x0D, 0xF4, 0x3A, 0x8F, 0xBD, 0x03, 0x08, 0xA7, 0xCA, 0xB8, 0x3E, 0x58, 0x1F, 0x86, 0xB1];

    private readonly byte[] _dataKey;
    private readonly byte[] _nameKey;
    private readonly byte[] _nameTweak;

    private CryptKeys(ReadOnlySpan<byte> material)
    {
        _dataKey = material[..DataKeySize].ToArray();
        _nameKey = material.Slice(DataKeySize, NameKeySize).ToArray();
        _nameTweak = material.Slice(DataKeySize + NameKeySize, NameTweakSize).ToArray();
    }

    internal ReadOnlySpan<byte> DataKey => _dataKey;
    internal byte[] DataKeyArray => _dataKey;
    internal ReadOnlySpan<byte> NameKey => _nameKey;
    internal ReadOnlySpan<byte> NameTweak => _nameTweak;

    /// <summary>
    /// Derives the keys as rclone does: scrypt over the UTF-8 bytes of <paramref name="password"/>,
    /// salted with the UTF-8 bytes of <paramref name="salt"/> (rclone's "password2"), or with the
    /// built-in salt when <paramref name="salt"/> is null or empty. Both strings are the plain
    /// passwords, not the obscured form rclone writes into rclone.conf.
    /// </summary>
    /// <exception cref="ArgumentException">The password is empty.</exception>
    public static CryptKeys Derive(string password, string? salt)
    {
        ArgumentNullException.ThrowIfNull(password);
        // rclone turns an empty password into all-zero keys (a test hook); a user must never get that.
        if (password.Length == 0)
        {
            throw new ArgumentException("The encryption password is empty; put the password in the password file.", nameof(password));
        }

        byte[] passwordBytes = Encoding.UTF8.GetBytes(password);
        byte[] saltBytes = string.IsNullOrEmpty(salt) ? s_defaultSalt : Encoding.UTF8.GetBytes(salt);
        byte[] material = SCrypt.Generate(passwordBytes, saltBytes, ScryptN, ScryptR, ScryptP, KeyMaterialSize);
        try
        {
            return new CryptKeys(material);
        }
        finally
        {
            Array.Clear(material);
            Array.Clear(passwordBytes);
        }
    }

    /// <summary>Builds keys from 80 bytes of key material (data key, name key, name tweak).</summary>
    public static CryptKeys FromKeyMaterial(ReadOnlySpan<byte> material)
    {
        if (material.Length != KeyMaterialSize)
        {
            throw new ArgumentException($"Key material must be {KeyMaterialSize} bytes, got {material.Length}.", nameof(material));
        }

        return new CryptKeys(material);
    }
}
