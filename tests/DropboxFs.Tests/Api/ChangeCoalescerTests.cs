using DropboxFs.Api;

namespace DropboxFs.Tests.Api;

public sealed class ChangeCoalescerTests
{
    [Fact]
    public void RepeatedIdKeepsOnlyItsLastOccurrence()
    {
        var entries = new Metadata[]
        {
            new FileMetadata { Name = "a", PathLower = "/a", Id = "id:1", Rev = "aaaaaaaaa1" },
            new FolderMetadata { Name = "d", PathLower = "/d", Id = "id:2" },
            new FileMetadata { Name = "a", PathLower = "/a", Id = "id:1", Rev = "aaaaaaaaa2" },
        };
        var result = ChangeCoalescer.Coalesce(entries);
        Assert.Equal(2, result.Count);
        Assert.Equal("id:2", Assert.IsType<FolderMetadata>(result[0]).Id);
        Assert.Equal("aaaaaaaaa2", Assert.IsType<FileMetadata>(result[1]).Rev);
    }

    [Fact]
    public void DeleteAfterCreateAtSamePathWinsAndMovedIdLandsAtNewPath()
    {
        var entries = new Metadata[]
        {
            new FileMetadata { Name = "x", PathLower = "/x", Id = "id:9" },
            new DeletedMetadata { Name = "x", PathLower = "/x" },
            new FileMetadata { Name = "y", PathLower = "/y", Id = "id:9" },
        };
        var result = ChangeCoalescer.Coalesce(entries);
        Assert.Equal(2, result.Count);
        Assert.IsType<DeletedMetadata>(result[0]);
        Assert.Equal("/y", result[1].PathLower);
    }
}
