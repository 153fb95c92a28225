using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Metadata;
using DropboxFs.Core.Nodes;

namespace DropboxFs.Tests.Core;

public class NodeTableTests
{
    private static readonly EntryRecord s_root = new("", "", FsNodeKind.Directory, null, 0, null, null, default, default, true);

    private static EntryRecord FileAt(string key, string id) =>
        new(key, key[(key.LastIndexOf('/') + 1)..], FsNodeKind.File, id, 1, "aaaaaaaaa1", null, default, default, false);

    [Fact]
    public void TheRootIsNodeOneWithInodeOne()
    {
        var table = new NodeTable(s_root);
        Assert.Equal(1ul, table.Root.NodeId);
        Assert.Equal(1ul, table.Root.Ino);
        Assert.Same(table.Root, table.Get(1));
    }

    [Fact]
    public void ForgetWithTheExactLookupCountFreesTheNodeAndIdsAreNotReused()
    {
        var table = new NodeTable(s_root);
        var node = table.GetOrAddChild(table.Root, FileAt("/f", "id:f"));
        table.AddLookup(node, "f");
        table.Remember(node.NodeId);
        table.Forget(node.NodeId, 1);
        Assert.Same(node, table.Get(node.NodeId));
        table.Forget(node.NodeId, 1);
        Assert.Throws<FsException>(() => table.Get(node.NodeId));

        var again = table.GetOrAddChild(table.Root, FileAt("/f", "id:f"));
        Assert.NotEqual(node.NodeId, again.NodeId);
        Assert.Equal(node.Ino, again.Ino); // st_ino is stable: it comes from the Dropbox id
    }

    [Fact]
    public void AnOpenNodeOutlivesItsLastForget()
    {
        var table = new NodeTable(s_root);
        var node = table.GetOrAddChild(table.Root, FileAt("/f", "id:f"));
        table.AddLookup(node, "f");
        table.AddOpen(node);
        table.Forget(node.NodeId, 1);
        Assert.Same(node, table.Get(node.NodeId));
        table.RemoveOpen(node);
        Assert.Throws<FsException>(() => table.Get(node.NodeId));
    }

    [Fact]
    public void InodeNumbersAreStableAcrossTablesAndNeverZeroOrOne()
    {
        var a = new NodeTable(s_root).GetOrAddChild(new NodeTable(s_root).Root, FileAt("/x", "id:abc"));
        var t2 = new NodeTable(s_root);
        var b = t2.GetOrAddChild(t2.Root, FileAt("/renamed", "id:abc"));
        Assert.Equal(a.Ino, b.Ino);
        for (var i = 0; i < 2000; i++)
        {
            Assert.True(InodeNumbers.Derive("id:" + i) > 1);
        }

        Assert.NotEqual(InodeNumbers.Derive("id:abc"), InodeNumbers.Derive("id:abc", salt: 1));
    }

    [Fact]
    public void AChildLivesAtItsParentsPathPlusItsLowerCaseName()
    {
        var table = new NodeTable(s_root);
        var dir = table.GetOrAddChild(table.Root, new EntryRecord("/docs", "Docs", FsNodeKind.Directory, "id:d", 0, null, null, default, default, false));
        var file = table.GetOrAddChild(dir, FileAt("/docs/readme.md", "id:r"));
        Assert.Equal("/docs/readme.md", table.GetKey(file));
        Assert.Same(file, table.FindByKey("/docs/readme.md"));
    }
}
