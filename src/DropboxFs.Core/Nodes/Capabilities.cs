namespace DropboxFs.Core.Nodes;

/// <summary>
/// Write capabilities. A node that does not implement them is read-only and the facade answers
/// <c>FsError.ReadOnly</c> without special cases (read-only mounts, revision views). Nothing
/// implements them yet: the write path is a later issue.
/// </summary>
internal interface IWritableDirectory
{
}

/// <inheritdoc cref="IWritableDirectory"/>
internal interface IWritableFile
{
}
