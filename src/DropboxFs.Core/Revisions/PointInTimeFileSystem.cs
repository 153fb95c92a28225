using DropboxFs.Api;
using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Revisions;

/// <summary>
/// The whole mounted tree, read-only, as it was at <see cref="At"/> (<c>dropboxfs mount --at</c>). A
/// folder is listed once (list_folder with include_deleted). A file unchanged since the time is shown
/// as listed; any other file (changed later, or deleted) costs one list_revisions call on its first
/// lookup or listing, and shows its newest revision at or before the time, or is hidden when it has
/// none. Everything is cached for the life of the mount: the past does not change.
/// </summary>
public sealed partial class PointInTimeFileSystem : IFileSystem, IAsyncDisposable
{
    // 4 list_revisions in flight per listing: enough to hide the latency of a folder of changed files
    // without tripping Dropbox's rate limit on bursts of identical calls.
    private const int ParallelLookups = 4;

    private readonly DropboxFileSystem _source;
    private readonly VirtualNodeTable<ViewNode> _nodes = new(2);
    private readonly RevisionHandles _handles;
    private readonly AsyncMemo<PastListing> _folders = new();
    private readonly AsyncMemo<FileMetadata?> _files = new();
    private readonly ILogger _logger;

    /// <param name="source">The facade whose API client and block cache are used (its live tree is not shown).</param>
    /// <param name="at">The moment to show; later changes are invisible.</param>
    public PointInTimeFileSystem(DropboxFileSystem source, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
        At = at;
        _logger = source.Loggers.CreateLogger<PointInTimeFileSystem>();
        _handles = new RevisionHandles(source);
        _nodes.AddPinned(IFileSystem.RootNodeId, new PastFolderNode(source.RootSubject.Key));
    }

    public DateTimeOffset At { get; }

    /// <summary>A name in a past folder: a folder, or a file (live or deleted) with the revision to show once resolved.</summary>
    private sealed record Candidate(string Name, string Key, FsNodeKind Kind, FileMetadata? Live, bool Deleted);

    /// <summary>A past folder's candidates in key order, and the ids of its live files.</summary>
    private sealed record PastListing(IReadOnlyList<Candidate> Candidates, HashSet<string> LiveIds);

    public async ValueTask<FsEntry> LookupAsync(ulong parent, string name, CancellationToken ct)
    {
        var folder = _nodes.Get(parent) as PastFolderNode ?? throw new FsException(FsError.NotDirectory);
        var listing = await ListAsync(folder, ct).ConfigureAwait(false);
        var match = listing.Candidates.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new FsException(FsError.NotFound);
        var node = await ResolveAsync(match, listing, ct).ConfigureAwait(false) ?? throw new FsException(FsError.NotFound);
        return new FsEntry(_nodes.GetOrAdd(parent, match.Name, node, addLookup: true), node.Attributes(At));
    }

    public void Remember(ulong node) => _nodes.Remember(node);

    public void Forget(ulong node, ulong count) => _nodes.Forget(node, count);

    public ValueTask<FsAttributes> GetAttrAsync(ulong node, CancellationToken ct) => ValueTask.FromResult(_nodes.Get(node).Attributes(At));

    public ValueTask<FsAttributes> SetAttrAsync(ulong node, FsSetAttr change, CancellationToken ct)
    {
        var view = _nodes.Get(node);
        if (change.Size is not null || change.ModifiedTime is not null)
        {
            ViewNode.RequireWritable(view);
        }

        return ValueTask.FromResult(view.Attributes(At));
    }

    public async ValueTask<IReadOnlyList<FsDirEntry>> ReadDirAsync(ulong node, CancellationToken ct)
    {
        var folder = _nodes.Get(node) as PastFolderNode ?? throw new FsException(FsError.NotDirectory);
        var listing = await ListAsync(folder, ct).ConfigureAwait(false);
        var candidates = listing.Candidates;
        var resolved = new ViewNode?[candidates.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, candidates.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelLookups, CancellationToken = ct },
            async (i, token) => resolved[i] = await ResolveAsync(candidates[i], listing, token).ConfigureAwait(false)).ConfigureAwait(false);
        var result = new List<FsDirEntry>(candidates.Count);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (resolved[i] is { } child)
            {
                result.Add(new FsDirEntry(candidates[i].Name, new FsEntry(_nodes.GetOrAdd(node, candidates[i].Name, child, addLookup: false), child.Attributes(At))));
            }
        }

        return result;
    }

    public async ValueTask<FsOpenResult> OpenAsync(ulong node, FsOpenFlags flags, CancellationToken ct)
    {
        var file = _nodes.Get(node) as RevisionFileNode ?? throw new FsException(FsError.IsDirectory);
        var open = await _handles.OpenAsync(node, file.Revision, flags).ConfigureAwait(false);
        _nodes.AddOpen(node);
        return open;
    }

    public ValueTask<int> ReadAsync(ulong node, ulong handle, long offset, Memory<byte> buffer, CancellationToken ct) =>
        _handles.ReadAsync(node, handle, offset, buffer, ct);

    public ValueTask<int> WriteAsync(ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        ViewNode.RequireWritable(_nodes.Get(node));
        return ValueTask.FromResult(0);
    }

    public ValueTask FlushAsync(ulong node, ulong handle, CancellationToken ct)
    {
        _handles.Check(node, handle);
        return ValueTask.CompletedTask;
    }

    public ValueTask FsyncAsync(ulong node, ulong handle, CancellationToken ct) => FlushAsync(node, handle, ct);

    public async ValueTask ReleaseAsync(ulong node, ulong handle)
    {
        await _handles.ReleaseAsync(node, handle).ConfigureAwait(false);
        _nodes.RemoveOpen(node);
    }

    public ValueTask<FsCreateResult> CreateAsync(ulong parent, string name, FsOpenFlags flags, CancellationToken ct) => throw Refuse(parent);

    public ValueTask<FsEntry> MkdirAsync(ulong parent, string name, CancellationToken ct) => throw Refuse(parent);

    public ValueTask UnlinkAsync(ulong parent, string name, CancellationToken ct) => throw Refuse(parent);

    public ValueTask RmdirAsync(ulong parent, string name, CancellationToken ct) => throw Refuse(parent);

    public ValueTask RenameAsync(ulong parent, string name, ulong newParent, string newName, FsRenameFlags flags, CancellationToken ct) => throw Refuse(parent);

    public ValueTask<long> CopyFileRangeAsync(
        ulong nodeIn, ulong handleIn, long offsetIn, ulong nodeOut, ulong handleOut, long offsetOut, long length, CancellationToken ct)
    {
        // Every node here is read-only: a copy can only target one of them (ReadOnly), or the handle is not ours.
        ViewNode.RequireWritable(_nodes.Get(nodeOut));
        return ValueTask.FromResult(0L);
    }

    public ValueTask<FsStatFs> StatFsAsync(CancellationToken ct) => _source.StatFsAsync(ct);

    public ValueTask DisposeAsync() => _handles.DisposeAsync();

    /// <summary>The folder's nodes implement no write capability: this always ends in ReadOnly (or NotFound for a stale node).</summary>
    private FsException Refuse(ulong parent)
    {
        ViewNode.RequireWritable(_nodes.Get(parent));
        return new FsException(FsError.ReadOnly);
    }
}
