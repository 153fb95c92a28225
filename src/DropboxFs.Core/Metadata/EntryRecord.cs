using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Metadata;

/// <summary>One row of the entries table: a file or folder as the server last described it.</summary>
/// <param name="Key">Lower-case NFC path from the account root (<see cref="PathKey"/>).</param>
/// <param name="Name">Display name with the server's casing.</param>
/// <param name="Complete">Folders only: the children rows are the whole listing.</param>
internal sealed record EntryRecord(
    string Key,
    string Name,
    FsNodeKind Kind,
    string? Id,
    long Size,
    string? Rev,
    string? ContentHash,
    DateTimeOffset ServerModified,
    DateTimeOffset ClientModified,
    bool Complete)
{
    public string ParentKey => PathKey.Parent(Key);

    /// <summary>Identifies the bytes: equal keys mean equal content (block cache key).</summary>
    public string? VersionKey => Kind != FsNodeKind.File ? null
        : ContentHash is { Length: > 0 } ? "h:" + ContentHash
        : Id is not null && Rev is not null ? "r:" + Id + "@" + Rev
        : null;

    /// <summary>True when the kernel's cached attributes or data for this node would be stale.</summary>
    public bool DiffersInAttributesFrom(EntryRecord other) =>
        Kind != other.Kind || Size != other.Size || Rev != other.Rev || ContentHash != other.ContentHash
        || ServerModified != other.ServerModified || ClientModified != other.ClientModified;
}
