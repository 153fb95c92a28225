using System.Globalization;
using DropboxFs.Api;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Nodes;

namespace DropboxFs.Core.Revisions;

/// <summary>
/// Payloads of the virtual nodes under <c>.dropbox</c>. None implements <see cref="IWritableDirectory"/>
/// or <see cref="IWritableFile"/>, so every mutation on them answers ReadOnly (EROFS) through the
/// same capability check as the rest of the facade, with no special case per operation.
/// </summary>
internal abstract record ViewNode
{
    /// <param name="folderTime">The mtime shown for folders (Dropbox folders have none): mount time, or the --at time.</param>
    public abstract FsAttributes Attributes(DateTimeOffset folderTime);

    /// <summary>ReadOnly unless the node implements a write capability (none here does).</summary>
    public static void RequireWritable(ViewNode view)
    {
        if (view is not (IWritableDirectory or IWritableFile))
        {
            throw new FsException(FsError.ReadOnly, "revision views and point-in-time trees are read-only");
        }
    }

    protected static FsAttributes Folder(string stableId, DateTimeOffset folderTime) =>
        new(InodeNumbers.Derive(stableId), FsNodeKind.Directory, 0, folderTime, folderTime, ReadOnly: true);
}

/// <summary><c>&lt;mount&gt;/.dropbox</c>: holds <c>revisions</c> and <c>revisions-by-id</c>.</summary>
internal sealed record DotDropboxNode : ViewNode
{
    public const string Name = ".dropbox";
    public const string ByPath = "revisions";
    public const string ById = "revisions-by-id";

    public override FsAttributes Attributes(DateTimeOffset folderTime) => Folder("view:" + Name, folderTime);
}

/// <summary>
/// A folder of a revision view: for a folder subject, its children (files become history folders);
/// for a file subject, its revisions.
/// </summary>
internal sealed record HistoryFolderNode(RevisionMode Mode, HistorySubject Subject) : ViewNode
{
    public override FsAttributes Attributes(DateTimeOffset folderTime) =>
        Folder($"view:{Mode}:{Subject.Key}", folderTime);
}

/// <summary>One revision of a file, read-only, read by "rev:".</summary>
internal sealed record RevisionFileNode(FileMetadata Revision) : ViewNode
{
    public override FsAttributes Attributes(DateTimeOffset folderTime) => Of(Revision);

    public static FsAttributes Of(FileMetadata r) =>
        new(InodeNumbers.Derive("rev:" + r.Rev), FsNodeKind.File, r.Size, r.ClientModified, r.ServerModified, ReadOnly: true);

    /// <summary>"2026-11-20T10-31-02Z_&lt;rev&gt;.txt": sorts by time, colon-free (portable), keeps the extension for applications.</summary>
    public static string FileName(FileMetadata r) =>
        r.ServerModified.UtcDateTime.ToString("yyyy-MM-dd'T'HH-mm-ss'Z'", CultureInfo.InvariantCulture) + "_" + r.Rev + Path.GetExtension(r.Name);
}

/// <summary>A folder of a point-in-time tree (lower-case key from the account root).</summary>
internal sealed record PastFolderNode(string Key) : ViewNode
{
    public override FsAttributes Attributes(DateTimeOffset folderTime) => Folder("at:" + Key, folderTime);
}
