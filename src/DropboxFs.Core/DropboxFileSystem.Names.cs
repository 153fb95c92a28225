using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;
using DropboxFs.Core.Names;
using DropboxFs.Core.Nodes;

namespace DropboxFs.Core;

/// <summary>Lookup, attributes, listings and kernel reference counting.</summary>
public sealed partial class DropboxFileSystem
{
    // 255: Dropbox's component limit (API reference §6.2), counted in UTF-16 units here.
    private const int MaxNameLength = 255;

    // Rows read before a concurrent change are re-read this often, then placed anyway (the change's own invalidations follow).
    private const int MaxPlacementAttempts = 4;

    public async ValueTask<FsEntry> LookupAsync(ulong parent, string name, CancellationToken ct)
    {
        var parentNode = _nodes.Get(parent);
        ValidateName(name);
        name = RemoteNameForLookup(name); // from here on, the name as Dropbox stores it (Names/NameEscaping.cs)
        var key = await ListedKeyAsync(parentNode, ct).ConfigureAwait(false);
        var childKey = PathKey.Child(key, name);
        Node? node = null;
        for (var attempt = 0; node is null; attempt++)
        {
            var generation = _nodes.Generation;
            var entry = _entries.Get(childKey);
            if (entry is null)
            {
                _nodes.AddNegative(parentNode, name);
                throw new FsException(FsError.NotFound);
            }

            // A change applied between the read and the placement: read again (the feed is not a spin).
            node = attempt < MaxPlacementAttempts ? _nodes.TryGetOrAddChild(parentNode, entry, generation) : _nodes.GetOrAddChild(parentNode, entry);
        }

        _nodes.AddLookup(node, name);
        return new FsEntry(node.NodeId, AttributesOf(node));
    }

    public void Remember(ulong node) => _nodes.Remember(node);

    public void Forget(ulong node, ulong count) => _nodes.Forget(node, count);

    public ValueTask<FsAttributes> GetAttrAsync(ulong node, CancellationToken ct) =>
        ValueTask.FromResult(AttributesOf(_nodes.Get(node)));

    public async ValueTask<IReadOnlyList<FsDirEntry>> ReadDirAsync(ulong node, CancellationToken ct)
    {
        var dir = _nodes.Get(node);
        var key = await ListedKeyAsync(dir, ct).ConfigureAwait(false);
        IReadOnlyList<EntryRecord> children;
        Node[]? nodes = null;
        var attempt = 0;
        do
        {
            var generation = attempt++ < MaxPlacementAttempts ? _nodes.Generation : -1;
            children = _entries.GetChildren(key);
            nodes = _nodes.TryGetOrAddChildren(dir, children, generation >= 0 ? generation : _nodes.Generation);
        }
        while (nodes is null);
        var result = new FsDirEntry[children.Count];
        for (var i = 0; i < children.Count; i++)
        {
            result[i] = new FsDirEntry(NameEscaping.ToLocal(children[i].Name), new FsEntry(nodes[i].NodeId, AttributesOf(nodes[i])));
        }

        return result;
    }

    /// <summary>The folder's key, after its listing has been fetched once (lazy listing).</summary>
    private async ValueTask<string> ListedKeyAsync(Node dir, CancellationToken ct)
    {
        if (dir.Kind != FsNodeKind.Directory)
        {
            throw new FsException(FsError.NotDirectory);
        }

        var key = _nodes.GetKey(dir) ?? throw new FsException(FsError.NotFound, "the folder was deleted");
        var row = _entries.Get(key) ?? throw new FsException(FsError.NotFound, "the folder was deleted");
        if (!row.Complete)
        {
            try
            {
                // The cursor must predate every listing, or a change between the two would be lost.
                await _sync.InitializeAsync(ct).ConfigureAwait(false);
                await _lister.ListAsync(key, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (ApiErrors.IsRemoteFailure(e))
            {
                throw ApiErrors.Translate(e, ct);
            }
        }

        return key;
    }

    private FsAttributes AttributesOf(Node node)
    {
        var e = node.Entry;
        if (e.Kind == FsNodeKind.Directory)
        {
            // Dropbox folders have no times; the mount time keeps `ls -l` stable and plausible.
            return new FsAttributes(node.Ino, FsNodeKind.Directory, 0, _mountedAt, _mountedAt, ReadOnly: node is not IWritableDirectory);
        }

        return LocalAttributes(node) ?? new FsAttributes(node.Ino, FsNodeKind.File, e.Size, e.ClientModified, e.ServerModified, ReadOnly: node is not IWritableFile);
    }

    private static void ValidateName(string name)
    {
        if (name.Length == 0 || name.Contains('/') || name is "." or "..")
        {
            throw new FsException(FsError.InvalidName, $"'{name}' is not a valid name");
        }

        if (name.Length > MaxNameLength)
        {
            throw new FsException(FsError.NameTooLong);
        }
    }
}
