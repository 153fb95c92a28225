using System.Text.Json.Nodes;

namespace DropboxFs.Api;

public sealed partial class DropboxClient
{
    /// <summary>sharing/create_shared_link_with_settings. If a link already exists and no settings were asked for,
    /// the existing link is returned (from the error, or list_shared_links direct_only).</summary>
    public async Task<SharedLinkMetadata> CreateSharedLinkAsync(string path, SharedLinkSettings? settings = null, CancellationToken ct = default)
    {
        var arg = new JsonObject { ["path"] = path };
        if (settings is not null)
        {
            var s = new JsonObject()
                .AddIf("requested_visibility", settings.Visibility is { } v ? ApiJson.Tag(v) : null)
                .AddIf("audience", settings.Audience is { } a ? ApiJson.Tag(a) : null)
                .AddIf("link_password", settings.Password)
                .AddIf("require_password", settings.Password is null ? null : true)
                .AddIf("expires", settings.Expires is { } e ? ApiJson.FormatTimestamp(e) : null)
                .AddIf("allow_download", settings.AllowDownload);
            if (s.Count > 0)
            {
                arg["settings"] = s;
            }
        }
        try
        {
            // Creating the same link twice is harmless (shared_link_already_exists below), so retries are safe.
            var result = await RpcAsync("sharing/create_shared_link_with_settings", arg, idempotent: true, ct).ConfigureAwait(false);
            return ApiJson.Deserialize(result, ApiJsonContext.Default.SharedLinkMetadata);
        }
        catch (DropboxApiException ex) when (ex.HasTag("shared_link_already_exists") && settings is null)
        {
            if (ex.Error?["shared_link_already_exists"]?["metadata"] is JsonObject existing)
            {
                return ApiJson.Deserialize(existing, ApiJsonContext.Default.SharedLinkMetadata);
            }
            var list = await ListSharedLinksAsync(path, directOnly: true, ct: ct).ConfigureAwait(false);
            if (list.Links.Count > 0)
            {
                return list.Links[0];
            }
            throw;
        }
    }

    /// <summary>sharing/list_shared_links: links of <paramref name="path"/> (null = all; then page with
    /// <paramref name="cursor"/>).</summary>
    public async Task<ListSharedLinksResult> ListSharedLinksAsync(string? path = null, string? cursor = null, bool directOnly = false, CancellationToken ct = default)
    {
        var arg = new JsonObject().AddIf("path", path).AddIf("cursor", cursor).AddIf("direct_only", directOnly ? true : null);
        var result = await RpcAsync("sharing/list_shared_links", arg, idempotent: true, ct).ConfigureAwait(false);
        return ApiJson.Deserialize(result, ApiJsonContext.Default.ListSharedLinksResult);
    }

    /// <summary>sharing/revoke_shared_link.</summary>
    public async Task RevokeSharedLinkAsync(string url, CancellationToken ct = default)
    {
        // Revoking twice gives shared_link_not_found the second time; treated as done after an unknown outcome.
        var first = true;
        await MutateAsync<object>("sharing/revoke_shared_link",
            async token =>
            {
                try
                {
                    await RpcAsync("sharing/revoke_shared_link", new JsonObject { ["url"] = url }, idempotent: false, token).ConfigureAwait(false);
                }
                catch (DropboxApiException ex) when (!first && ex.HasTag("shared_link_not_found"))
                {
                    // our earlier attempt revoked it
                }
                return url;
            },
            _ =>
            {
                first = false;
                return Task.FromResult<object?>(null);
            }, ct).ConfigureAwait(false);
    }
}
