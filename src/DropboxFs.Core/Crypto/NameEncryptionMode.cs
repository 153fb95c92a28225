namespace DropboxFs.Core.Crypto;

/// <summary>How names are stored, as rclone crypt's <c>filename_encryption</c> setting.</summary>
public enum NameEncryptionMode
{
    /// <summary>Names kept; files get a <c>.bin</c> suffix, directories are unchanged.</summary>
    Off,
    /// <summary>AES-EME with the name tweak, PKCS#7, base32hex lower case without padding.</summary>
    Standard,
    /// <summary>A keyed character rotation: hides nothing from a determined reader, keeps names short.</summary>
    Obfuscate,
}
