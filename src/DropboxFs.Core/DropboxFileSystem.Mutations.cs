using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Nodes;

namespace DropboxFs.Core;

/// <summary>
/// Mutations. No node implements the write capabilities yet (the write path is a later issue), so
/// each of these resolves its target and answers ReadOnly; a read-only mount will keep answering so.
/// </summary>
public sealed partial class DropboxFileSystem
{
    public ValueTask<FsAttributes> SetAttrAsync(ulong node, FsSetAttr change, CancellationToken ct)
    {
        var target = _nodes.Get(node);
        if (change is { Size: null, ModifiedTime: null })
        {
            return ValueTask.FromResult(AttributesOf(target));
        }

        _ = RequireWritable<IWritableFile>(target);
        throw new FsException(FsError.NotSupported);
    }

    public ValueTask<int> WriteAsync(ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        var open = GetHandle(node, handle);
        _ = RequireWritable<IWritableFile>(open.Node);
        throw new FsException(FsError.NotSupported);
    }

    public ValueTask<FsCreateResult> CreateAsync(ulong parent, string name, FsOpenFlags flags, CancellationToken ct) =>
        throw Refuse(parent, name);

    public ValueTask<FsEntry> MkdirAsync(ulong parent, string name, CancellationToken ct) => throw Refuse(parent, name);

    public ValueTask UnlinkAsync(ulong parent, string name, CancellationToken ct) => throw Refuse(parent, name);

    public ValueTask RmdirAsync(ulong parent, string name, CancellationToken ct) => throw Refuse(parent, name);

    public ValueTask RenameAsync(ulong parent, string name, ulong newParent, string newName, FsRenameFlags flags, CancellationToken ct)
    {
        _nodes.Get(newParent);
        ValidateName(newName);
        throw Refuse(parent, name);
    }

    private FsException Refuse(ulong parent, string name)
    {
        var dir = _nodes.Get(parent);
        ValidateName(name);
        if (dir.Kind != FsNodeKind.Directory)
        {
            return new FsException(FsError.NotDirectory);
        }

        _ = RequireWritable<IWritableDirectory>(dir);
        return new FsException(FsError.NotSupported);
    }

    /// <summary>The node's write capability, or ReadOnly when it has none (read-only mounts, revision views, everything today).</summary>
    private T RequireWritable<T>(Node node)
        where T : class =>
        !_options.ReadOnly && node is T capability ? capability : throw new FsException(FsError.ReadOnly);
}
