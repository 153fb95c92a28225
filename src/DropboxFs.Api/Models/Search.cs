using System.Text.Json.Serialization;

namespace DropboxFs.Api;

/// <summary>Options of <c>files/search_v2</c>.</summary>
public sealed record SearchOptions
{
    /// <summary>Folder to search in (null = everywhere).</summary>
    public string? Path { get; init; }
    /// <summary>1..1000 per page; null = server default (100).</summary>
    public int? MaxResults { get; init; }
    /// <summary>Match file names only.</summary>
    public bool FilenameOnly { get; init; }
    /// <summary>Extensions without dot, e.g. "txt".</summary>
    public IReadOnlyList<string>? FileExtensions { get; init; }
    /// <summary>Categories: image, document, pdf, spreadsheet, presentation, audio, video, folder, paper, others.</summary>
    public IReadOnlyList<string>? FileCategories { get; init; }
    /// <summary>Search deleted files instead of active ones.</summary>
    public bool Deleted { get; init; }
}

/// <summary>One match.</summary>
/// <param name="Metadata">The matching entry (with its subtype).</param>
/// <param name="MatchType">filename, file_content, filename_and_content, image_content, metadata; null if absent.</param>
public sealed record SearchMatch(Metadata Metadata, string? MatchType);

/// <summary>One page of search results.</summary>
public sealed record SearchResult
{
    /// <summary>Matches.</summary>
    public IReadOnlyList<SearchMatch> Matches { get; init; } = [];
    /// <summary>Call <see cref="DropboxClient.SearchContinueAsync"/> with <see cref="Cursor"/>.</summary>
    public bool HasMore { get; init; }
    /// <summary>Only when <see cref="HasMore"/>.</summary>
    public string? Cursor { get; init; }
}

/// <summary>Settings for a new shared link.</summary>
public sealed record SharedLinkSettings
{
    /// <summary>Expiry (whole seconds UTC); basic accounts may get settings_error.</summary>
    public DateTimeOffset? Expires { get; init; }
    /// <summary>Password; sets require_password.</summary>
    public string? Password { get; init; }
    /// <summary>public, team_only or password (requested_visibility).</summary>
    public string? Visibility { get; init; }
    /// <summary>public, team, no_one (audience).</summary>
    public string? Audience { get; init; }
    /// <summary>Allow downloads.</summary>
    public bool? AllowDownload { get; init; }
}

/// <summary>A shared link (file or folder subtype).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = ".tag", IgnoreUnrecognizedTypeDiscriminators = true)]
[JsonDerivedType(typeof(FileLinkMetadata), "file")]
[JsonDerivedType(typeof(FolderLinkMetadata), "folder")]
public record SharedLinkMetadata
{
    /// <summary>The link URL (also the revoke key).</summary>
    public string Url { get; init; } = "";
    /// <summary>Id of the linked item.</summary>
    public string? Id { get; init; }
    /// <summary>Name of the linked item.</summary>
    public string Name { get; init; } = "";
    /// <summary>Expiry.</summary>
    public DateTimeOffset? Expires { get; init; }
    /// <summary>Lower-cased path (when the caller can see it).</summary>
    public string? PathLower { get; init; }
    /// <summary>Permissions.</summary>
    public LinkPermissions? LinkPermissions { get; init; }
}

/// <summary>A file link.</summary>
public sealed record FileLinkMetadata : SharedLinkMetadata
{
    /// <summary>client_modified.</summary>
    public DateTimeOffset ClientModified { get; init; }
    /// <summary>server_modified.</summary>
    public DateTimeOffset ServerModified { get; init; }
    /// <summary>Revision.</summary>
    public string Rev { get; init; } = "";
    /// <summary>Size.</summary>
    public long Size { get; init; }
}

/// <summary>A folder link.</summary>
public sealed record FolderLinkMetadata : SharedLinkMetadata;

/// <summary>Link permissions (subset).</summary>
public sealed record LinkPermissions
{
    /// <summary>Caller may revoke.</summary>
    public bool CanRevoke { get; init; }
    /// <summary>Resolved visibility tag: public, team_only, password, …</summary>
    [JsonConverter(typeof(UnionTagConverter))]
    public string? ResolvedVisibility { get; init; }
    /// <summary>Requested visibility tag.</summary>
    [JsonConverter(typeof(UnionTagConverter))]
    public string? RequestedVisibility { get; init; }
    /// <summary>Downloads allowed.</summary>
    public bool AllowDownload { get; init; }
}

/// <summary>One page of <c>sharing/list_shared_links</c>.</summary>
public sealed record ListSharedLinksResult
{
    /// <summary>Links.</summary>
    public IReadOnlyList<SharedLinkMetadata> Links { get; init; } = [];
    /// <summary>More pages.</summary>
    public bool HasMore { get; init; }
    /// <summary>Only when no path was given.</summary>
    public string? Cursor { get; init; }
}
