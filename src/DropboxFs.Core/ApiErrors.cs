using DropboxFs.Api;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core;

/// <summary>The one place where API and transport failures become <see cref="FsError"/>s.</summary>
internal static class ApiErrors
{
    public static FsError ToFsError(DropboxApiException e) => e switch
    {
        { IsNotFound: true } => FsError.NotFound,
        { IsInsufficientSpace: true } => FsError.NoSpace,
        { IsNotFolder: true } => FsError.NotDirectory,
        { IsNotFile: true } => FsError.IsDirectory,
        { IsConflict: true } => FsError.Exists,
        { IsMalformedPath: true } or { IsDisallowedName: true } => FsError.InvalidName,
        { IsNoWritePermission: true } => FsError.AccessDenied,
        { IsAuthError: true } => FsError.AccessDenied,
        { IsRateLimited: true } => FsError.Busy,
        _ when e.HasTag("restricted_content") || e.HasTag("unsupported_file") => FsError.AccessDenied,
        _ => FsError.IoError,
    };

    /// <summary>Wraps anything a remote call threw; cancellation by the caller becomes Interrupted.</summary>
    public static FsException Translate(Exception e, CancellationToken ct) => e switch
    {
        FsException fs => fs,
        DropboxApiException api => new FsException(ToFsError(api), api.Message, api),
        OperationCanceledException when ct.IsCancellationRequested => new FsException(FsError.Interrupted, "interrupted", e),
        TimeoutException or OperationCanceledException => new FsException(FsError.TimedOut, e.Message, e),
        _ => new FsException(FsError.IoError, e.Message, e),
    };

    /// <summary>True for exceptions a remote call can throw that <see cref="Translate"/> understands.</summary>
    public static bool IsRemoteFailure(Exception e) =>
        e is DropboxApiException or HttpRequestException or IOException or TimeoutException or InvalidDataException
        || (e is OperationCanceledException);
}
