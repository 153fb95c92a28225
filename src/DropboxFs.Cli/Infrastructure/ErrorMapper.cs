using System.Net.Sockets;
using DropboxFs.Api;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>
/// The ONE place where failures become exit codes and messages. Every message names the thing that
/// failed and the next step, e.g. "not found: /a/b; `dropboxfs ls /a` shows what is there".
/// </summary>
internal static class ErrorMapper
{
    public static (ExitCode Code, string Message) Map(Exception error, ErrorSubject subject, string? endpoint) => error switch
    {
        CliException cli => (cli.Code, cli.Message),
        DropboxApiException api => MapApi(api, subject),
        HttpRequestException or HttpIOException or SocketException or TimeoutException or TaskCanceledException =>
            (ExitCode.Unavailable, $"cannot reach Dropbox at {endpoint ?? "the Dropbox API"}: {error.Message}; check the network (or --endpoint / DROPBOXFS_ENDPOINT) and try again"),
        InvalidDataException =>
            (ExitCode.Error, $"the data did not verify: {error.Message}"),
        UnauthorizedAccessException =>
            (ExitCode.LocalIo, $"permission denied on a local file: {error.Message}; check the file's permissions"),
        IOException =>
            (ExitCode.LocalIo, $"local file error: {error.Message}"),
        _ => (ExitCode.Error, $"unexpected error: {error.GetType().Name}: {error.Message}"),
    };

    private static (ExitCode, string) MapApi(DropboxApiException e, ErrorSubject subject)
    {
        var path = subject.Path ?? "the path";
        var what = string.IsNullOrEmpty(e.TagPath) ? e.ErrorSummary : e.TagPath;
        if (e.IsAuthError)
        {
            return (ExitCode.AuthRequired,
                $"not authorized ({what}): run `dropboxfs login` to link an account, or pass a valid --token / set DROPBOXFS_TOKEN");
        }

        if (e.HasTag("invalid_revision"))
        {
            return (ExitCode.NotFound, $"no such revision of {path}; `dropboxfs revisions {path}` lists them");
        }

        if (e.HasTag("shared_link_already_exists"))
        {
            return (ExitCode.Conflict, $"a shared link already exists for {path}; `dropboxfs link list {path}` shows it");
        }

        if (e.IsNotFound)
        {
            var target = e.HasTag("from_lookup") || e.HasTag("path") || subject.Other is null ? path : subject.Other;
            return (ExitCode.NotFound, $"not found: {target}; `dropboxfs ls {ParentOf(target)}` shows what is there");
        }

        if (e.IsConflict)
        {
            var target = e.HasTag("to") && subject.Other is not null ? subject.Other : path;
            if (e.HasTag("file_ancestor"))
            {
                return (ExitCode.Conflict, $"conflict: a parent of {target} is a file, not a folder; `dropboxfs ls {ParentOf(target)}` shows it");
            }

            return (ExitCode.Conflict, $"conflict: {target} already exists ({what}); {subject.ConflictHint ?? "choose another name or remove it first"}");
        }

        if (e.IsInsufficientSpace)
        {
            return (ExitCode.NoSpace, "the Dropbox account is full; free some space (`dropboxfs about` shows usage) and try again");
        }

        if (e.IsTransient)
        {
            return (ExitCode.Unavailable, $"Dropbox is unavailable ({e.StatusCode} {what}) after retries; try again later");
        }

        if (e.IsNotFile)
        {
            return (ExitCode.Error, $"{path} is a folder, not a file; `dropboxfs ls {path}` lists it");
        }

        if (e.IsNotFolder)
        {
            return (ExitCode.Error, $"{path} is a file, not a folder; `dropboxfs get {path} FILE` downloads it");
        }

        if (e.IsMalformedPath || e.IsDisallowedName)
        {
            return (ExitCode.Usage, $"invalid Dropbox path {path} ({what}); paths start with '/', e.g. /Photos/a.jpg");
        }

        return (ExitCode.Error, $"Dropbox refused {e.Route}: {what}" + (e.UserMessage is null ? "" : $" ({e.UserMessage})"));
    }

    internal static string ParentOf(string path)
    {
        var trimmed = path.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        return slash <= 0 ? "/" : trimmed[..slash];
    }
}

/// <summary>What a verb is working on, so error messages can name it.</summary>
internal sealed class ErrorSubject
{
    /// <summary>The main remote path (source of mv/cp).</summary>
    public string? Path { get; set; }
    /// <summary>A second remote path (destination of mv/cp).</summary>
    public string? Other { get; set; }
    /// <summary>What to do about a conflict, e.g. "pass --overwrite or --rename-if-exists".</summary>
    public string? ConflictHint { get; set; }

    /// <summary>Computed after a failure or Ctrl-C, e.g. how to resume a partial download; printed last.</summary>
    public Func<string?>? AfterFailure { get; set; }
}
