using System.Text.Json.Nodes;

namespace DropboxFs.Api;

public sealed partial class DropboxClient
{
    /// <summary>files/get_metadata. <paramref name="path"/> may be /path, id:…, id:…/sub or rev:…. With
    /// <paramref name="includeDeleted"/>, a deleted path gives <see cref="DeletedMetadata"/> instead of not_found.</summary>
    public async Task<Metadata> GetMetadataAsync(string path, bool includeDeleted = false, CancellationToken ct = default)
    {
        var arg = new JsonObject { ["path"] = path, ["include_deleted"] = includeDeleted };
        var result = await RpcAsync("files/get_metadata", arg, idempotent: true, ct).ConfigureAwait(false);
        return ApiJson.Deserialize(result, ApiJsonContext.Default.Metadata);
    }

    /// <summary>Like <see cref="GetMetadataAsync"/> but returns null when nothing is at the path.</summary>
    public async Task<Metadata?> TryGetMetadataAsync(string path, bool includeDeleted = false, CancellationToken ct = default)
    {
        try
        {
            return await GetMetadataAsync(path, includeDeleted, ct).ConfigureAwait(false);
        }
        catch (DropboxApiException ex) when (ex.StatusCode == 409 && ex.IsNotFound)
        {
            return null;
        }
    }

    /// <summary>files/get_temporary_link: a direct link valid for 4 hours.</summary>
    public async Task<TemporaryLink> GetTemporaryLinkAsync(string path, CancellationToken ct = default)
    {
        var result = await RpcAsync("files/get_temporary_link", new JsonObject { ["path"] = path }, idempotent: true, ct).ConfigureAwait(false);
        return ApiJson.Deserialize(result, ApiJsonContext.Default.TemporaryLink);
    }

    /// <summary>users/get_current_account.</summary>
    public async Task<FullAccount> GetCurrentAccountAsync(CancellationToken ct = default)
    {
        var result = await RpcAsync("users/get_current_account", null, idempotent: true, ct).ConfigureAwait(false);
        return ApiJson.Deserialize(result, ApiJsonContext.Default.FullAccount);
    }

    /// <summary>users/get_space_usage.</summary>
    public async Task<SpaceUsage> GetSpaceUsageAsync(CancellationToken ct = default)
    {
        var result = await RpcAsync("users/get_space_usage", null, idempotent: true, ct).ConfigureAwait(false);
        return ApiJson.Deserialize(result, ApiJsonContext.Default.SpaceUsage);
    }

    /// <summary>auth/token/revoke: disables the access token and its refresh token (logout).</summary>
    public Task RevokeTokenAsync(CancellationToken ct = default) =>
        RpcAsync("auth/token/revoke", null, idempotent: true, ct);
}
