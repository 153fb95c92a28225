namespace DropboxFs.Core.Nodes;

/// <summary>
/// Write capabilities. A node that does not implement them is read-only and the facade answers
/// <c>FsError.ReadOnly</c> without special cases: nodes of a read-only mount are plain <see cref="Node"/>s,
/// and revision views build their own read-only nodes.
/// </summary>
internal interface IWritableDirectory
{
}

/// <inheritdoc cref="IWritableDirectory"/>
internal interface IWritableFile
{
}

/// <summary>A node of a read-write mount: writable whatever its kind (the facade checks the kind first).</summary>
internal sealed class WritableNode(ulong nodeId, ulong ino, Metadata.EntryRecord entry) : Node(nodeId, ino, entry), IWritableDirectory, IWritableFile
{
}

/// <summary>Ids of entries that exist only locally (created, not uploaded yet). They never reach the server;
/// the commit's real id replaces them in place (same node, same st_ino).</summary>
internal static class LocalIds
{
    private const string Prefix = "local:";

    public static string New() => Prefix + Guid.NewGuid().ToString("N");

    public static bool IsLocal(string? id) => id is not null && id.StartsWith(Prefix, StringComparison.Ordinal);
}
