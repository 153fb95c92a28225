using DropboxFs.Core.Metadata;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Tests.Core;

public class MetadataDatabaseTests
{
    [Fact]
    public async Task ACorruptFileIsDeletedAndRebuiltEmpty()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "metadata.db");
        await File.WriteAllBytesAsync(path, Enumerable.Repeat((byte)0x5a, 8192).ToArray());

        using var db = MetadataDatabase.Open(path, NullLogger.Instance);

        Assert.True(db.WasRebuilt);
        Assert.Null(new EntryTable(db).Get("/anything"));
    }

    [Fact]
    public async Task RowsSurviveAReopenWithoutRebuilding()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "metadata.db");
        using (var db = MetadataDatabase.Open(path, NullLogger.Instance))
        {
            await db.WriteAsync((c, tx) => SyncStateTable.Set(c, tx, SyncStateTable.Cursor, "kept"));
        }

        using var again = MetadataDatabase.Open(path, NullLogger.Instance);
        Assert.False(again.WasRebuilt);
        Assert.Equal("kept", new SyncStateTable(again).Get(SyncStateTable.Cursor));
    }
}
