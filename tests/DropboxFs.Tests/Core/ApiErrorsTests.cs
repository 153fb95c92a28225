using DropboxFs.Api;
using DropboxFs.Core;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Core;

public class ApiErrorsTests
{
    [Theory]
    [InlineData("files/download", 409, "path/not_found", FsError.NotFound)]
    [InlineData("files/upload", 409, "path/reason/insufficient_space", FsError.NoSpace)]
    [InlineData("files/list_folder", 409, "path/not_folder", FsError.NotDirectory)]
    [InlineData("files/download", 409, "path/not_file", FsError.IsDirectory)]
    [InlineData("files/move_v2", 409, "to/conflict/file", FsError.Exists)]
    [InlineData("files/upload", 409, "path/reason/disallowed_name", FsError.InvalidName)]
    [InlineData("files/list_folder", 401, "invalid_access_token", FsError.AccessDenied)]
    [InlineData("files/list_folder", 429, "too_many_requests", FsError.Busy)]
    [InlineData("files/list_folder", 500, "", FsError.IoError)]
    public void ApiErrorsMapToOneFsError(string route, int status, string tags, FsError expected)
    {
        var e = new DropboxApiException(route, status, tags, tags + "/..");
        Assert.Equal(expected, ApiErrors.ToFsError(e));
        Assert.Equal(expected, ApiErrors.Translate(e, CancellationToken.None).Error);
    }

    [Fact]
    public void CancellationByTheCallerIsInterruptedAndOtherwiseATimeout()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Equal(FsError.Interrupted, ApiErrors.Translate(new OperationCanceledException(), cancelled.Token).Error);
        Assert.Equal(FsError.TimedOut, ApiErrors.Translate(new TaskCanceledException(), CancellationToken.None).Error);
        Assert.Equal(FsError.IoError, ApiErrors.Translate(new HttpRequestException("refused"), CancellationToken.None).Error);
    }
}
