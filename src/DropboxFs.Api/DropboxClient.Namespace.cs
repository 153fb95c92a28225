using System.Text.Json.Nodes;

namespace DropboxFs.Api;

public sealed partial class DropboxClient
{
    /// <summary>files/create_folder_v2 (missing parents are created). An existing folder gives
    /// <see cref="DropboxApiException.IsConflict"/> ("path/conflict/folder") unless <paramref name="autorename"/>.</summary>
    public Task<FolderMetadata> CreateFolderAsync(string path, bool autorename = false, CancellationToken ct = default)
    {
        var arg = new JsonObject { ["path"] = path, ["autorename"] = autorename };
        return MutateAsync("files/create_folder_v2",
            async token =>
            {
                var result = await RpcAsync("files/create_folder_v2", arg, idempotent: false, token).ConfigureAwait(false);
                return ApiJson.Deserialize(result?["metadata"], ApiJsonContext.Default.FolderMetadata);
            },
            async token => autorename ? null : await TryGetMetadataAsync(path, ct: token).ConfigureAwait(false) as FolderMetadata,
            ct);
    }

    /// <summary>files/delete_v2 (recursive). With <paramref name="ifRevision"/> (files only) the delete happens only if
    /// the current rev matches (parent_rev). Returns the metadata of the item as it was.</summary>
    public Task<Metadata> DeleteAsync(string path, string? ifRevision = null, CancellationToken ct = default)
    {
        var arg = new JsonObject { ["path"] = path }.AddIf("parent_rev", ifRevision);
        return MutateAsync<Metadata>("files/delete_v2",
            async token =>
            {
                var result = await RpcAsync("files/delete_v2", arg, idempotent: false, token).ConfigureAwait(false);
                return ApiJson.Deserialize(result?["metadata"], ApiJsonContext.Default.Metadata);
            },
            async token =>
            {
                // Gone now = our delete happened (the first attempt's answer was lost).
                var now = await TryGetMetadataAsync(path, ct: token).ConfigureAwait(false);
                return now is null ? new DeletedMetadata { Name = path[(path.LastIndexOf('/') + 1)..], PathDisplay = path, PathLower = path.ToLowerInvariant() } : null;
            },
            ct);
    }

    /// <summary>files/move_v2. The id is preserved. Returns the metadata at the destination.</summary>
    public Task<Metadata> MoveAsync(string fromPath, string toPath, RelocationOptions? options = null, CancellationToken ct = default) =>
        RelocateAsync("files/move_v2", fromPath, toPath, options, move: true, ct);

    /// <summary>files/copy_v2. The copy gets new ids. Returns the metadata at the destination.</summary>
    public Task<Metadata> CopyAsync(string fromPath, string toPath, RelocationOptions? options = null, CancellationToken ct = default) =>
        RelocateAsync("files/copy_v2", fromPath, toPath, options, move: false, ct);

    private async Task<Metadata> RelocateAsync(string route, string from, string to, RelocationOptions? options, bool move, CancellationToken ct)
    {
        options ??= new RelocationOptions();
        var arg = new JsonObject
        {
            ["from_path"] = from,
            ["to_path"] = to,
            ["allow_shared_folder"] = options.AllowSharedFolder,
            ["autorename"] = options.Autorename,
        };
        if (move)
        {
            arg["allow_ownership_transfer"] = options.AllowOwnershipTransfer;
        }
        // Without autorename the destination must be free, so after an unknown outcome "destination exists (and,
        // for a move, the source is gone)" means our request took effect; no lookup is needed up front.
        // With autorename the result name is unknown, so the request is repeated.
        return await MutateAsync<Metadata>(route,
            async token =>
            {
                var result = await RpcAsync(route, arg, idempotent: false, token).ConfigureAwait(false);
                return ApiJson.Deserialize(result?["metadata"], ApiJsonContext.Default.Metadata);
            },
            async token =>
            {
                if (options.Autorename || await TryGetMetadataAsync(to, ct: token).ConfigureAwait(false) is not { } target)
                {
                    return null;
                }
                return !move || await TryGetMetadataAsync(from, ct: token).ConfigureAwait(false) is null ? target : null;
            },
            ct).ConfigureAwait(false);
    }

    /// <summary>files/list_revisions: newest first; <paramref name="limit"/> 1..100 (clamped).</summary>
    public async Task<ListRevisionsResult> ListRevisionsAsync(string path, RevisionMode mode = RevisionMode.Path, int limit = 10, CancellationToken ct = default)
    {
        var arg = new JsonObject
        {
            ["path"] = path,
            ["mode"] = ApiJson.Tag(mode == RevisionMode.Id ? "id" : "path"),
            ["limit"] = Math.Clamp(limit, 1, 100),
        };
        var result = await RpcAsync("files/list_revisions", arg, idempotent: true, ct).ConfigureAwait(false);
        return ApiJson.Deserialize(result, ApiJsonContext.Default.ListRevisionsResult);
    }

    /// <summary>files/restore: writes revision <paramref name="rev"/> at <paramref name="path"/>.</summary>
    public async Task<FileMetadata> RestoreAsync(string path, string rev, CancellationToken ct = default)
    {
        var arg = new JsonObject { ["path"] = path, ["rev"] = rev };
        // Restoring the same rev twice yields the same content, so a repeat is harmless.
        var result = await RpcAsync("files/restore", arg, idempotent: true, ct).ConfigureAwait(false);
        return ApiJson.Deserialize(result, ApiJsonContext.Default.FileMetadata);
    }
}
