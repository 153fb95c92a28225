namespace DropboxFs.Cli;

/// <summary>Every exit code the <c>dropboxfs</c> executable returns. Documented in README.md.</summary>
public enum ExitCode
{
    Ok = 0,
    /// <summary>Unexpected failure; the message says what happened.</summary>
    Error = 1,
    /// <summary>Bad command-line usage.</summary>
    Usage = 2,
    /// <summary>The remote path does not exist.</summary>
    NotFound = 3,
    /// <summary>Something is already there (a conflict).</summary>
    Conflict = 4,
    /// <summary>Not linked, token expired or revoked: run `dropboxfs login`.</summary>
    AuthRequired = 5,
    /// <summary>The Dropbox quota is full.</summary>
    NoSpace = 6,
    /// <summary>Network or server failure after retries.</summary>
    Unavailable = 7,
    /// <summary>A local file could not be read or written.</summary>
    LocalIo = 8,
    /// <summary>The mountpoint is busy or not usable.</summary>
    MountFailed = 9,
    /// <summary>Encrypted content or names do not decrypt: wrong password or salt, or a damaged or unencrypted file.</summary>
    DecryptFailed = 10,
    /// <summary>Interrupted by the user (Ctrl-C).</summary>
    Interrupted = 130,
}
