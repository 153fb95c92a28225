using System.Text.Json.Serialization;

namespace DropboxFs.Api;

/// <summary>A Dropbox entry (Stone <c>Metadata</c>): <see cref="FileMetadata"/>, <see cref="FolderMetadata"/> or
/// <see cref="DeletedMetadata"/>. On the wire the subtype is the leading <c>".tag"</c> when the declared type is
/// <c>Metadata</c>; statically typed results (upload, download, restore) carry no tag.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = ".tag", IgnoreUnrecognizedTypeDiscriminators = true)]
[JsonDerivedType(typeof(FileMetadata), "file")]
[JsonDerivedType(typeof(FolderMetadata), "folder")]
[JsonDerivedType(typeof(DeletedMetadata), "deleted")]
public record Metadata
{
    /// <summary>Last path component with its true casing.</summary>
    public string Name { get; init; } = "";
    /// <summary>Lower-cased full path starting with '/'; null when not mounted.</summary>
    public string? PathLower { get; init; }
    /// <summary>Cased full path; only the last component's casing is guaranteed.</summary>
    public string? PathDisplay { get; init; }
    /// <summary>Deprecated by Dropbox; present inside shared folders.</summary>
    public string? ParentSharedFolderId { get; init; }
}

/// <summary>A file. <see cref="Rev"/> changes on every content write; <see cref="Id"/> is stable across moves.</summary>
public sealed record FileMetadata : Metadata
{
    /// <summary><c>id:…</c>, case-sensitive.</summary>
    public string Id { get; init; } = "";
    /// <summary>Set by the uploader (whole seconds, UTC).</summary>
    public DateTimeOffset ClientModified { get; init; }
    /// <summary>Last content change on the server.</summary>
    public DateTimeOffset ServerModified { get; init; }
    /// <summary>Lower-case hex revision, at least 9 characters.</summary>
    public string Rev { get; init; } = "";
    /// <summary>Size in bytes.</summary>
    public long Size { get; init; }
    /// <summary>False for export-only files (Google Docs and similar).</summary>
    public bool IsDownloadable { get; init; } = true;
    /// <summary>Dropbox content hash (64 lower-case hex), see <see cref="ContentHash"/>.</summary>
    public string? ContentHash { get; init; }
    /// <summary>Sharing details when inside a shared folder.</summary>
    public FileSharingInfo? SharingInfo { get; init; }
    /// <summary>Only when include_restorable_info was asked for.</summary>
    public bool? IsRestorable { get; init; }
}

/// <summary>A folder.</summary>
public sealed record FolderMetadata : Metadata
{
    /// <summary><c>id:…</c>, case-sensitive.</summary>
    public string Id { get; init; } = "";
    /// <summary>Deprecated; set when this folder is a shared folder.</summary>
    public string? SharedFolderId { get; init; }
    /// <summary>Sharing details when shared or inside a shared folder.</summary>
    public FolderSharingInfo? SharingInfo { get; init; }
}

/// <summary>A deleted entry (from change listings or include_deleted). Has no id, rev or size.</summary>
public sealed record DeletedMetadata : Metadata
{
    /// <summary>Only when include_restorable_info was asked for.</summary>
    public bool? IsRestorable { get; init; }
}

/// <summary>FileSharingInfo.</summary>
public sealed record FileSharingInfo
{
    /// <summary>True when the file cannot be written.</summary>
    public bool ReadOnly { get; init; }
    /// <summary>The shared folder containing the file.</summary>
    public string? ParentSharedFolderId { get; init; }
    /// <summary>Account that last modified the file.</summary>
    public string? ModifiedBy { get; init; }
}

/// <summary>FolderSharingInfo.</summary>
public sealed record FolderSharingInfo
{
    /// <summary>True when the folder's contents cannot be written.</summary>
    public bool ReadOnly { get; init; }
    /// <summary>The shared folder containing this folder.</summary>
    public string? ParentSharedFolderId { get; init; }
    /// <summary>Set when this folder is itself a shared folder.</summary>
    public string? SharedFolderId { get; init; }
    /// <summary>Only traversal is allowed.</summary>
    public bool TraverseOnly { get; init; }
    /// <summary>No access at all.</summary>
    public bool NoAccess { get; init; }
}
