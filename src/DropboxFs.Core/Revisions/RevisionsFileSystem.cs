using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Nodes;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Revisions;

/// <summary>
/// Decorator that adds the read-only <c>&lt;mount&gt;/.dropbox</c> tree (per-file revision views) to a
/// facade and forwards everything else unchanged. Virtual node ids have the top bit set, a range the
/// inner facade never hands out (its counter starts at 2). <c>.dropbox</c> is hidden from root
/// listings and its name at the root can never be created, removed or renamed (ReadOnly).
/// </summary>
public sealed partial class RevisionsFileSystem : IFileSystem, IAsyncDisposable
{
    /// <summary>Set in every virtual node id; inner ids count up from 2 and never reach it.</summary>
    internal const ulong VirtualBit = 1UL << 63;

    private readonly IFileSystem _inner;
    private readonly DropboxFileSystem _source;
    private readonly VirtualNodeTable<ViewNode> _views = new(VirtualBit | 1);
    private readonly RevisionHandles _handles;
    private readonly RevisionHistoryCache _histories;
    private readonly ILogger _logger;

    /// <param name="source">The facade whose metadata, API client and block cache the views read; also what is served.</param>
    /// <param name="historyMaxAge">How long a list_revisions answer is reused (default 10 s).</param>
    public RevisionsFileSystem(DropboxFileSystem source, TimeSpan? historyMaxAge = null)
        : this(source, source, historyMaxAge)
    {
    }

    /// <param name="inner">What every call outside <c>.dropbox</c> goes to (the facade, or a decorator over it that keeps its node ids).</param>
    /// <param name="source">The facade whose metadata, API client and block cache the views read.</param>
    /// <param name="historyMaxAge">How long a list_revisions answer is reused (default 10 s).</param>
    public RevisionsFileSystem(IFileSystem inner, DropboxFileSystem source, TimeSpan? historyMaxAge = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(source);
        _inner = inner;
        _source = source;
        _logger = source.Loggers.CreateLogger<RevisionsFileSystem>();
        _handles = new RevisionHandles(source);
        _histories = new RevisionHistoryCache(source, historyMaxAge ?? TimeSpan.FromSeconds(10), _logger);
    }

    /// <summary>Live virtual nodes (for tests and status).</summary>
    internal int VirtualNodeCount => _views.Count;

    internal static bool IsVirtual(ulong node) => (node & VirtualBit) != 0;

    private static bool IsDotDropbox(ulong parent, string name) =>
        parent == IFileSystem.RootNodeId && string.Equals(name, DotDropboxNode.Name, StringComparison.OrdinalIgnoreCase);

    public ValueTask<FsEntry> LookupAsync(ulong parent, string name, CancellationToken ct) =>
        IsVirtual(parent) || IsDotDropbox(parent, name) ? LookupViewAsync(parent, name, ct) : _inner.LookupAsync(parent, name, ct);

    public void Remember(ulong node)
    {
        if (IsVirtual(node))
        {
            _views.Remember(node);
        }
        else
        {
            _inner.Remember(node);
        }
    }

    public void Forget(ulong node, ulong count)
    {
        if (IsVirtual(node))
        {
            _views.Forget(node, count);
        }
        else
        {
            _inner.Forget(node, count);
        }
    }

    public ValueTask<FsAttributes> GetAttrAsync(ulong node, CancellationToken ct) =>
        IsVirtual(node) ? ValueTask.FromResult(_views.Get(node).Attributes(_source.MountedAt)) : _inner.GetAttrAsync(node, ct);

    public ValueTask<FsAttributes> SetAttrAsync(ulong node, FsSetAttr change, CancellationToken ct)
    {
        if (!IsVirtual(node))
        {
            return _inner.SetAttrAsync(node, change, ct);
        }

        var view = _views.Get(node);
        if (change.Size is not null || change.ModifiedTime is not null)
        {
            ViewNode.RequireWritable(view);
        }

        return ValueTask.FromResult(view.Attributes(_source.MountedAt)); // chmod/chown: a no-op, as on live nodes
    }

    public ValueTask<IReadOnlyList<FsDirEntry>> ReadDirAsync(ulong node, CancellationToken ct) =>
        IsVirtual(node) ? ReadViewAsync(node, ct)
        : node == IFileSystem.RootNodeId ? ReadRootAsync(ct)
        : _inner.ReadDirAsync(node, ct);

    public ValueTask<FsOpenResult> OpenAsync(ulong node, FsOpenFlags flags, CancellationToken ct)
    {
        if (!IsVirtual(node))
        {
            return _inner.OpenAsync(node, flags, ct);
        }

        return _views.Get(node) is RevisionFileNode file ? OpenRevisionAsync(node, file, flags) : throw new FsException(FsError.IsDirectory);
    }

    public ValueTask<int> ReadAsync(ulong node, ulong handle, long offset, Memory<byte> buffer, CancellationToken ct) =>
        IsVirtual(node) ? _handles.ReadAsync(node, handle, offset, buffer, ct) : _inner.ReadAsync(node, handle, offset, buffer, ct);

    public ValueTask<int> WriteAsync(ulong node, ulong handle, long offset, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        if (!IsVirtual(node))
        {
            return _inner.WriteAsync(node, handle, offset, data, ct);
        }

        ViewNode.RequireWritable(_views.Get(node));
        return ValueTask.FromResult(0);
    }

    public ValueTask FlushAsync(ulong node, ulong handle, CancellationToken ct) =>
        IsVirtual(node) ? CheckHandle(node, handle) : _inner.FlushAsync(node, handle, ct);

    public ValueTask FsyncAsync(ulong node, ulong handle, CancellationToken ct) =>
        IsVirtual(node) ? CheckHandle(node, handle) : _inner.FsyncAsync(node, handle, ct);

    public async ValueTask ReleaseAsync(ulong node, ulong handle)
    {
        if (!IsVirtual(node))
        {
            await _inner.ReleaseAsync(node, handle).ConfigureAwait(false);
            return;
        }

        await _handles.ReleaseAsync(node, handle).ConfigureAwait(false);
        _views.RemoveOpen(node);
    }

    public ValueTask<FsCreateResult> CreateAsync(ulong parent, string name, FsOpenFlags flags, CancellationToken ct)
    {
        RequireWritableName(parent, name);
        return _inner.CreateAsync(parent, name, flags, ct);
    }

    public ValueTask<FsEntry> MkdirAsync(ulong parent, string name, CancellationToken ct)
    {
        RequireWritableName(parent, name);
        return _inner.MkdirAsync(parent, name, ct);
    }

    public ValueTask UnlinkAsync(ulong parent, string name, CancellationToken ct)
    {
        RequireWritableName(parent, name);
        return _inner.UnlinkAsync(parent, name, ct);
    }

    public ValueTask RmdirAsync(ulong parent, string name, CancellationToken ct)
    {
        RequireWritableName(parent, name);
        return _inner.RmdirAsync(parent, name, ct);
    }

    public ValueTask RenameAsync(ulong parent, string name, ulong newParent, string newName, FsRenameFlags flags, CancellationToken ct)
    {
        RequireWritableName(parent, name);
        RequireWritableName(newParent, newName);
        return _inner.RenameAsync(parent, name, newParent, newName, flags, ct);
    }

    public ValueTask<FsStatFs> StatFsAsync(CancellationToken ct) => _inner.StatFsAsync(ct);

    public ValueTask DisposeAsync() => _handles.DisposeAsync();

    /// <summary>
    /// A name in a virtual folder, or <c>.dropbox</c> at the root (which names the virtual folder): the
    /// view nodes implement no write capability, so the answer is ReadOnly, as for any read-only node.
    /// </summary>
    private void RequireWritableName(ulong parent, string name)
    {
        if (IsVirtual(parent))
        {
            ViewNode.RequireWritable(_views.Get(parent));
        }
        else if (IsDotDropbox(parent, name))
        {
            ViewNode.RequireWritable(new DotDropboxNode());
        }
    }

    private ValueTask CheckHandle(ulong node, ulong handle)
    {
        _handles.Check(node, handle);
        return ValueTask.CompletedTask;
    }
}
