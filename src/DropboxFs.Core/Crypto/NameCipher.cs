using System.Text;

namespace DropboxFs.Core.Crypto;

/// <summary>
/// Encrypts and decrypts single names (path segments, no '/') exactly as rclone crypt does.
/// Deterministic: a name always encrypts to the same stored name, so lookups need no listing.
/// Immutable and thread-safe.
/// </summary>
public sealed partial class NameCipher
{
    /// <summary>
    /// Longest stored name in UTF-8 bytes. 255 is NAME_MAX on Linux and the per-component limit
    /// rclone hits; a standard-mode name of 144+ bytes pads to 160 bytes = 256 base32 characters.
    /// </summary>
    public const int MaxEncryptedNameBytes = 255;

    /// <summary>Suffix appended to file names when names are not encrypted.</summary>
    public const string OffSuffix = ".bin";

    // rclone refuses to EME-decrypt more than 2048 bytes (EME's 128-block limit).
    private const int MaxDecodedNameBytes = 2048;

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _nameKey;
    private readonly byte[] _nameTweak;
    private readonly int _nameKeySum;

    /// <summary>Creates a cipher for <paramref name="mode"/>; <paramref name="encryptDirectoryNames"/> is rclone's <c>directory_name_encryption</c>.</summary>
    public NameCipher(CryptKeys keys, NameEncryptionMode mode, bool encryptDirectoryNames)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown name encryption mode.");
        }

        Mode = mode;
        EncryptDirectoryNames = encryptDirectoryNames && mode != NameEncryptionMode.Off;
        _nameKey = keys.NameKey.ToArray();
        _nameTweak = keys.NameTweak.ToArray();
        foreach (byte b in _nameKey)
        {
            _nameKeySum += b;
        }
    }

    /// <summary>The name encryption mode.</summary>
    public NameEncryptionMode Mode { get; }

    /// <summary>Whether directory names are encrypted (always false in <see cref="NameEncryptionMode.Off"/>).</summary>
    public bool EncryptDirectoryNames { get; }

    /// <summary>Stored name of file <paramref name="name"/>; false (and "") when it would exceed <see cref="MaxEncryptedNameBytes"/>.</summary>
    public bool TryEncryptFileName(string name, out string encrypted) =>
        TryEncrypt(name, isDirectory: false, out encrypted, out _);

    /// <summary>Stored name of directory <paramref name="name"/>; false (and "") when it would exceed <see cref="MaxEncryptedNameBytes"/>.</summary>
    public bool TryEncryptDirectoryName(string name, out string encrypted) =>
        TryEncrypt(name, isDirectory: true, out encrypted, out _);

    /// <summary>Like <see cref="TryEncryptFileName"/>, throwing <see cref="CryptNameTooLongException"/>.</summary>
    public string EncryptFileName(string name) =>
        TryEncrypt(name, isDirectory: false, out string encrypted, out int bytes) ? encrypted : throw TooLong(name, bytes);

    /// <summary>Like <see cref="TryEncryptDirectoryName"/>, throwing <see cref="CryptNameTooLongException"/>.</summary>
    public string EncryptDirectoryName(string name) =>
        TryEncrypt(name, isDirectory: true, out string encrypted, out int bytes) ? encrypted : throw TooLong(name, bytes);

    private bool TryEncrypt(string name, bool isDirectory, out string encrypted, out int encryptedBytes)
    {
        CheckSegment(name);
        encrypted = "";
        if (Mode == NameEncryptionMode.Standard && (!isDirectory || EncryptDirectoryNames))
        {
            // Check the length first: EME takes at most 2048 bytes, and a refused name needs no AES work.
            byte[] padded = Pkcs7.Pad(Encoding.UTF8.GetBytes(name));
            encryptedBytes = Base32Hex.EncodedLength(padded.Length);
            if (encryptedBytes > MaxEncryptedNameBytes)
            {
                return false;
            }

            encrypted = Base32Hex.Encode(Eme.Transform(_nameKey, _nameTweak, padded, encrypt: true));
            return true;
        }

        string stored = (Mode, isDirectory && !EncryptDirectoryNames) switch
        {
            (_, true) => name,
            (NameEncryptionMode.Off, _) => name + OffSuffix,
            _ => Obfuscate(name),
        };
        encryptedBytes = Encoding.UTF8.GetByteCount(stored);
        if (encryptedBytes > MaxEncryptedNameBytes)
        {
            return false;
        }

        encrypted = stored;
        return true;
    }

    /// <summary>
    /// Plaintext of stored file name <paramref name="encrypted"/>; false when it is not a name this
    /// cipher produced (a foreign file, a conflicted copy renamed by Dropbox, or a wrong password).
    /// </summary>
    public bool TryDecryptFileName(string encrypted, out string name)
    {
        ArgumentNullException.ThrowIfNull(encrypted);
        bool ok = Mode switch
        {
            NameEncryptionMode.Off => TryStripSuffix(encrypted, out name),
            NameEncryptionMode.Standard => TryDecryptStandard(encrypted, out name),
            _ => TryDeobfuscate(encrypted, out name),
        };
        if (!ok)
        {
            name = ""; // never hand out the garbage a failed decryption produced
        }

        return ok;
    }

    /// <summary>Plaintext of stored directory name <paramref name="encrypted"/>; false when it cannot be decrypted.</summary>
    public bool TryDecryptDirectoryName(string encrypted, out string name)
    {
        ArgumentNullException.ThrowIfNull(encrypted);
        if (!EncryptDirectoryNames)
        {
            bool plausible = IsPlausibleName(encrypted);
            name = plausible ? encrypted : "";
            return plausible;
        }

        return TryDecryptFileName(encrypted, out name);
    }

    /// <summary>Like <see cref="TryDecryptFileName"/>, throwing <see cref="CryptNameException"/>.</summary>
    public string DecryptFileName(string encrypted) =>
        TryDecryptFileName(encrypted, out string name) ? name : throw new CryptNameException(encrypted, DescribeMode());

    /// <summary>Like <see cref="TryDecryptDirectoryName"/>, throwing <see cref="CryptNameException"/>.</summary>
    public string DecryptDirectoryName(string encrypted) =>
        TryDecryptDirectoryName(encrypted, out string name) ? name : throw new CryptNameException(encrypted, DescribeMode());

    private bool TryDecryptStandard(string encrypted, out string name)
    {
        name = "";
        if (!Base32Hex.TryDecode(encrypted, out byte[] raw)
            || raw.Length == 0 || raw.Length % Pkcs7.BlockSize != 0 || raw.Length > MaxDecodedNameBytes)
        {
            return false;
        }

        byte[] padded = Eme.Transform(_nameKey, _nameTweak, raw, encrypt: false);
        return Pkcs7.TryUnpad(padded, out int length) && TryDecodeUtf8(padded.AsSpan(0, length), out name) && IsPlausibleName(name);
    }

    private static bool TryStripSuffix(string encrypted, out string name)
    {
        name = "";
        if (encrypted.Length <= OffSuffix.Length || !encrypted.EndsWith(OffSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        name = encrypted[..^OffSuffix.Length];
        return IsPlausibleName(name);
    }

    private static bool TryDecodeUtf8(ReadOnlySpan<byte> bytes, out string text)
    {
        text = "";
        try
        {
            text = s_strictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false; // random bytes from a wrong key are almost never valid UTF-8
        }
    }

    // A decrypted name must be usable as a path segment: '/' or NUL means garbage, and "." or ".."
    // from a stored name would let a crafted remote folder alias its parent in a listing.
    private static bool IsPlausibleName(string name) =>
        name.Length > 0 && name is not ("." or "..") && !name.Contains('/') && !name.Contains('\0');

    private static void CheckSegment(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name is "" or "." or ".." || name.Contains('/'))
        {
            throw new ArgumentException("A name is one path segment: not empty, \".\" or \"..\", and without '/'.", nameof(name));
        }
    }

    private static CryptNameTooLongException TooLong(string name, int encryptedBytes) =>
        new(Encoding.UTF8.GetByteCount(name), encryptedBytes);

    private string DescribeMode() => Mode switch
    {
        NameEncryptionMode.Off => $"it does not end in \"{OffSuffix}\"",
        NameEncryptionMode.Standard => "it does not decrypt with this password (foreign file, renamed copy, or wrong password)",
        _ => "it is not an obfuscated name made with this password",
    };
}
