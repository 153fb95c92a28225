namespace DropboxFs.Core.FileSystem;

/// <summary>
/// The one error currency of Core. Adapters map each value to errno (FUSE) or NTSTATUS (WinFsp)
/// through a single exhaustive table; a unit test walks every value through each table.
/// </summary>
public enum FsError
{
    NotFound = 1,
    Exists,
    NotEmpty,
    NotDirectory,
    IsDirectory,
    ReadOnly,
    NoSpace,
    NameTooLong,
    InvalidName,
    InvalidArgument,
    BadHandle,
    Interrupted,
    NotSupported,
    AccessDenied,
    Busy,
    TimedOut,
    IoError,
}

/// <summary>Thrown by the facade and everything below it; carries an <see cref="FsError"/>.</summary>
public sealed class FsException : Exception
{
    public FsException(FsError error, string? message = null, Exception? inner = null)
        : base(message ?? error.ToString(), inner)
    {
        Error = error;
    }

    public FsError Error { get; }
}
