using DropboxFs.Api;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Revisions;

/// <summary>Lookup and listing inside <c>.dropbox</c>; opening a revision.</summary>
public sealed partial class RevisionsFileSystem
{
    private async ValueTask<FsEntry> LookupViewAsync(ulong parent, string name, CancellationToken ct)
    {
        ViewNode child = IsVirtual(parent) ? await FindChildAsync(_views.Get(parent), name, ct).ConfigureAwait(false) : new DotDropboxNode();
        var id = _views.GetOrAdd(parent, name, child, addLookup: true);
        return new FsEntry(id, child.Attributes(_source.MountedAt));
    }

    private async ValueTask<ViewNode> FindChildAsync(ViewNode parent, string name, CancellationToken ct)
    {
        switch (parent)
        {
            case DotDropboxNode when string.Equals(name, DotDropboxNode.ByPath, StringComparison.OrdinalIgnoreCase):
                return new HistoryFolderNode(RevisionMode.Path, _source.RootSubject);
            case DotDropboxNode when string.Equals(name, DotDropboxNode.ById, StringComparison.OrdinalIgnoreCase):
                return new HistoryFolderNode(RevisionMode.Id, _source.RootSubject);
            case HistoryFolderNode { Subject.Kind: FsNodeKind.Directory } folder:
                var subject = await _source.FindHistoryChildAsync(folder.Subject, name, ct).ConfigureAwait(false)
                    ?? throw new FsException(FsError.NotFound);
                return new HistoryFolderNode(folder.Mode, subject);
            case HistoryFolderNode file:
                var revisions = await _histories.GetAsync(file.Subject, file.Mode, ct).ConfigureAwait(false);
                var match = revisions.FirstOrDefault(r => string.Equals(RevisionFileNode.FileName(r), name, StringComparison.OrdinalIgnoreCase));
                return match is null ? throw new FsException(FsError.NotFound) : new RevisionFileNode(match);
            case RevisionFileNode:
                throw new FsException(FsError.NotDirectory);
            default:
                throw new FsException(FsError.NotFound);
        }
    }

    private async ValueTask<IReadOnlyList<FsDirEntry>> ReadViewAsync(ulong node, CancellationToken ct)
    {
        var children = new List<(string Name, ViewNode Node)>();
        switch (_views.Get(node))
        {
            case DotDropboxNode:
                children.Add((DotDropboxNode.ByPath, new HistoryFolderNode(RevisionMode.Path, _source.RootSubject)));
                children.Add((DotDropboxNode.ById, new HistoryFolderNode(RevisionMode.Id, _source.RootSubject)));
                break;
            case HistoryFolderNode { Subject.Kind: FsNodeKind.Directory } folder:
                foreach (var subject in await _source.ListHistoryChildrenAsync(folder.Subject, ct).ConfigureAwait(false))
                {
                    children.Add((subject.Name, new HistoryFolderNode(folder.Mode, subject)));
                }

                break;
            case HistoryFolderNode file:
                foreach (var revision in await _histories.GetAsync(file.Subject, file.Mode, ct).ConfigureAwait(false))
                {
                    children.Add((RevisionFileNode.FileName(revision), new RevisionFileNode(revision)));
                }

                break;
            default:
                throw new FsException(FsError.NotDirectory);
        }

        return children.ConvertAll(c => new FsDirEntry(c.Name, new FsEntry(_views.GetOrAdd(node, c.Name, c.Node, addLookup: false), c.Node.Attributes(_source.MountedAt))));
    }

    /// <summary>The root's listing without <c>.dropbox</c>: the views are reached by name only, never uploaded or listed.</summary>
    private async ValueTask<IReadOnlyList<FsDirEntry>> ReadRootAsync(CancellationToken ct)
    {
        var entries = await _inner.ReadDirAsync(IFileSystem.RootNodeId, ct).ConfigureAwait(false);
        return entries.Any(e => IsDotDropbox(IFileSystem.RootNodeId, e.Name))
            ? entries.Where(e => !IsDotDropbox(IFileSystem.RootNodeId, e.Name)).ToList()
            : entries;
    }

    private async ValueTask<FsOpenResult> OpenRevisionAsync(ulong node, RevisionFileNode file, FsOpenFlags flags)
    {
        var open = await _handles.OpenAsync(node, file.Revision, flags).ConfigureAwait(false);
        _views.AddOpen(node);
        return open;
    }
}
