using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;
using DropboxFs.Core.Nodes;
using DropboxFs.Core.Sync;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Tests.Core;

/// <summary>Metadata store + node table + change applier on a temp SQLite file, with a recording notifier.</summary>
internal sealed class SyncHarness : IDisposable
{
    private readonly TempFolder _temp = new();

    public SyncHarness()
    {
        Db = MetadataDatabase.Open(Path.Combine(_temp.Path, "metadata.db"), NullLogger.Instance);
        var root = new EntryRecord("", "", FsNodeKind.Directory, null, 0, null, null, default, default, false);
        Db.WriteAsync((c, tx) => EntryTable.Upsert(c, tx, root)).AsTask().GetAwaiter().GetResult();
        Entries = new EntryTable(Db);
        Nodes = new NodeTable(root);
        Applier = new ChangeApplier(Db, Nodes, () => Notifier, key =>
        {
            Dropped.Add(key);
            return ValueTask.CompletedTask;
        }, TimeProvider.System);
    }

    public MetadataDatabase Db { get; }

    public EntryTable Entries { get; }

    public NodeTable Nodes { get; }

    public ChangeApplier Applier { get; }

    public CoreRecordingNotifier Notifier { get; } = new();

    public List<string> Dropped { get; } = [];

    public static Change File(string path, string id, string rev = "aaaaaaaaa1", long size = 10, string? name = null)
    {
        var key = PathKey.Normalize(path);
        return new Change(key, new EntryRecord(key, name ?? path[(path.LastIndexOf('/') + 1)..], FsNodeKind.File, id, size, rev,
            "hash-" + rev, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), false));
    }

    public static Change Folder(string path, string id) =>
        new(PathKey.Normalize(path), new EntryRecord(PathKey.Normalize(path), path[(path.LastIndexOf('/') + 1)..], FsNodeKind.Directory, id, 0, null, null, default, default, false));

    public static Change Deleted(string path) => new(PathKey.Normalize(path), null);

    public Task ListAsync(string folderKey, params Change[] children) =>
        Applier.ApplyListingAsync(folderKey, children, Applier.FeedPages, CancellationToken.None).AsTask();

    public Task FeedAsync(params Change[] changes) =>
        Applier.ApplyFeedPageAsync(changes, "cursor-" + Guid.NewGuid().ToString("N"), CancellationToken.None).AsTask();

    /// <summary>What a kernel LOOKUP would do: the node for parent/name, with one lookup reference.</summary>
    public Node Lookup(Node parent, string name)
    {
        var key = PathKey.Child(Nodes.GetKey(parent)!, name);
        var entry = Entries.Get(key) ?? throw new FsException(FsError.NotFound);
        var node = Nodes.GetOrAddChild(parent, entry);
        Nodes.AddLookup(node, name);
        return node;
    }

    public void Dispose()
    {
        Db.Dispose();
        _temp.Dispose();
    }
}
