namespace DropboxFs.Core.Crypto;

/// <summary>
/// Base of every failure of the rclone crypt format. It derives from <see cref="IOException"/>
/// so a consumer reading through <see cref="DecryptingStream"/> sees an I/O error; the mount maps
/// every <see cref="CryptException"/> on content to EIO and never returns the bytes.
/// </summary>
public class CryptException : IOException
{
    /// <summary>Creates the exception with a message that names what is wrong.</summary>
    public CryptException(string message) : base(message) { }
}

/// <summary>
/// A sealed block failed Poly1305 authentication: the bytes were changed, the block was cut short,
/// the block was moved to another position, or the password is wrong. No plaintext is released.
/// </summary>
public sealed class CryptAuthenticationException : CryptException
{
    /// <summary>Creates the exception for block <paramref name="blockIndex"/>.</summary>
    public CryptAuthenticationException(long blockIndex)
        : base($"Encrypted block {blockIndex} failed authentication: the file was changed or truncated, or the password is wrong.")
    {
        BlockIndex = blockIndex;
    }

    /// <summary>Zero-based index of the 64 KiB block that failed.</summary>
    public long BlockIndex { get; }
}

/// <summary>
/// The ciphertext cannot be an rclone crypt file: bad magic, shorter than the 32-byte header,
/// or a size that no plaintext size produces (a trailing block of 1–16 bytes).
/// </summary>
public sealed class CryptFormatException : CryptException
{
    /// <summary>Creates the exception with a message that names the defect.</summary>
    public CryptFormatException(string message) : base(message) { }
}

/// <summary>An encrypted name could not be decrypted (a foreign or renamed file).</summary>
public sealed class CryptNameException : CryptException
{
    /// <summary>Creates the exception for <paramref name="encryptedName"/>.</summary>
    public CryptNameException(string encryptedName, string reason)
        : base($"The name \"{encryptedName}\" is not a valid encrypted name: {reason}.")
    {
        EncryptedName = encryptedName;
    }

    /// <summary>The name as it is stored remotely.</summary>
    public string EncryptedName { get; }
}

/// <summary>
/// A plaintext name encrypts to more than <see cref="NameCipher.MaxEncryptedNameBytes"/> bytes;
/// the mount answers ENAMETOOLONG (FsError.NameTooLong).
/// </summary>
public sealed class CryptNameTooLongException : CryptException
{
    /// <summary>Creates the exception for a name whose encrypted form has <paramref name="encryptedBytes"/> bytes.</summary>
    public CryptNameTooLongException(int plainBytes, int encryptedBytes)
        : base($"A name of {plainBytes} bytes encrypts to {encryptedBytes} bytes, over the limit of {NameCipher.MaxEncryptedNameBytes}; use a shorter name.")
    {
        EncryptedBytes = encryptedBytes;
    }

    /// <summary>Length in UTF-8 bytes of the encrypted name that was refused.</summary>
    public int EncryptedBytes { get; }
}
