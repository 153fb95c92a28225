using System.Collections.Frozen;
using DropboxFs.Emulator.Handlers;

namespace DropboxFs.Emulator.Http;

/// <summary>How a route carries its argument and result (§1.2–1.4).</summary>
internal enum RouteStyle
{
    Rpc,
    Upload,
    Download,
}

/// <summary>One API route. <see cref="VoidArg"/> routes accept no body at all (§1.2).</summary>
internal sealed record RouteDef(string Name, RouteStyle Style, Func<ApiRequest, Task> Handler, bool NoAuth = false, bool VoidArg = false);

/// <summary>
/// Every path the emulator serves, in one place. API routes live under /2/&lt;name&gt;; route
/// names are unique across the api, content and notify hosts, so one origin serves all three.
/// </summary>
internal static class RouteTable
{
    public static readonly FrozenDictionary<string, RouteDef> Api = new RouteDef[]
    {
        // users + check
        new("users/get_current_account", RouteStyle.Rpc, UsersHandlers.GetCurrentAccountAsync, VoidArg: true),
        new("users/get_space_usage", RouteStyle.Rpc, UsersHandlers.GetSpaceUsageAsync, VoidArg: true),
        new("check/user", RouteStyle.Rpc, UsersHandlers.CheckUserAsync),

        // files: metadata and listing
        new("files/get_metadata", RouteStyle.Rpc, FilesMetadataHandlers.GetMetadataAsync),
        new("files/list_folder", RouteStyle.Rpc, FilesMetadataHandlers.ListFolderAsync),
        new("files/list_folder/continue", RouteStyle.Rpc, FilesMetadataHandlers.ContinueAsync),
        new("files/list_folder/get_latest_cursor", RouteStyle.Rpc, FilesMetadataHandlers.GetLatestCursorAsync),
        new("files/list_folder/longpoll", RouteStyle.Rpc, FilesMetadataHandlers.LongpollAsync, NoAuth: true),

        // files: namespace operations
        new("files/create_folder_v2", RouteStyle.Rpc, FilesNamespaceHandlers.CreateFolderAsync),
        new("files/delete_v2", RouteStyle.Rpc, FilesNamespaceHandlers.DeleteAsync),
        new("files/move_v2", RouteStyle.Rpc, FilesNamespaceHandlers.MoveAsync),
        new("files/copy_v2", RouteStyle.Rpc, FilesNamespaceHandlers.CopyAsync),

        // files: revisions, search, links
        new("files/list_revisions", RouteStyle.Rpc, FilesRevisionHandlers.ListRevisionsAsync),
        new("files/restore", RouteStyle.Rpc, FilesRevisionHandlers.RestoreAsync),
        new("files/search_v2", RouteStyle.Rpc, FilesSearchHandlers.SearchAsync),
        new("files/search/continue_v2", RouteStyle.Rpc, FilesSearchHandlers.ContinueAsync),
        new("files/get_temporary_link", RouteStyle.Rpc, FilesContentHandlers.GetTemporaryLinkAsync),

        // files: content
        new("files/download", RouteStyle.Download, FilesContentHandlers.DownloadAsync),
        new("files/upload", RouteStyle.Upload, FilesContentHandlers.UploadAsync),

        // files: upload sessions
        new("files/upload_session/start", RouteStyle.Upload, UploadSessionHandlers.StartAsync),
        new("files/upload_session/append_v2", RouteStyle.Upload, UploadSessionHandlers.AppendAsync),
        new("files/upload_session/append", RouteStyle.Upload, UploadSessionHandlers.AppendV1Async),
        new("files/upload_session/append_batch", RouteStyle.Upload, UploadSessionHandlers.AppendBatchAsync),
        new("files/upload_session/finish", RouteStyle.Upload, UploadSessionHandlers.FinishAsync),
        new("files/upload_session/start_batch", RouteStyle.Rpc, UploadSessionHandlers.StartBatchAsync),
        new("files/upload_session/finish_batch_v2", RouteStyle.Rpc, UploadSessionHandlers.FinishBatchV2Async),
        new("files/upload_session/finish_batch", RouteStyle.Rpc, UploadSessionHandlers.FinishBatchAsync),
        new("files/upload_session/finish_batch/check", RouteStyle.Rpc, UploadSessionHandlers.FinishBatchCheckAsync),

        // sharing
        new("sharing/create_shared_link_with_settings", RouteStyle.Rpc, SharingHandlers.CreateAsync),
        new("sharing/list_shared_links", RouteStyle.Rpc, SharingHandlers.ListAsync),
        new("sharing/revoke_shared_link", RouteStyle.Rpc, SharingHandlers.RevokeAsync),

        // auth
        new("auth/token/revoke", RouteStyle.Rpc, AuthHandlers.RevokeAsync, VoidArg: true),
    }.ToFrozenDictionary(r => r.Name, StringComparer.Ordinal);

    /// <summary>The non-API endpoints: OAuth pages, temporary/shared link downloads, control API.</summary>
    public static Func<EmulatorRuntime, HttpContext, Task>? Endpoint(string path) => path switch
    {
        "/oauth2/authorize" => OAuthHandlers.AuthorizeAsync,
        "/oauth2/token" => OAuthHandlers.TokenAsync,
        _ when path.StartsWith("/_link/", StringComparison.Ordinal) => FilesContentHandlers.ServeTemporaryLinkAsync,
        _ when path.StartsWith("/s/", StringComparison.Ordinal) => SharingHandlers.ServeSharedLinkAsync,
        _ when path.StartsWith("/_emulator/", StringComparison.Ordinal) => ControlHandlers.HandleAsync,
        _ => null,
    };
}
