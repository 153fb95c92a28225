using DropboxFs.Core.Uploads;

namespace DropboxFs.Tests.Uploads;

/// <summary>The background writeback the streaming pump starts every 64 MiB acked (a head start for the release's fsync).</summary>
public sealed class StagingWritebackTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dbxfs-writeback-" + Guid.NewGuid().ToString("N"));

    public StagingWritebackTests() => Directory.CreateDirectory(_dir);

    [Fact]
    public async Task WritebackDuringWritesKeepsEveryByteAndTheRanges()
    {
        var path = Path.Combine(_dir, "a.stage");
        var content = UploadHarness.RandomBytes(3 << 20, seed: 60);
        using (var staging = StagingFile.Open(path, 0, 0, []))
        {
            for (var offset = 0; offset < content.Length; offset += 1 << 18)
            {
                await staging.WriteAsync(offset, content.AsMemory(offset, 1 << 18), CancellationToken.None);
                staging.StartWriteback(); // while one runs, further calls are no-ops
            }

            staging.FlushToDisk();
            Assert.Equal(content.Length, staging.ContiguousFromZero());
        }

        Assert.Equal(content, await File.ReadAllBytesAsync(path));
    }

    [Fact]
    public async Task ReleasingTheStagingFileWhileAWritebackRunsIsHarmless()
    {
        var path = Path.Combine(_dir, "b.stage");
        var content = UploadHarness.RandomBytes(1 << 20, seed: 61);
        var staging = StagingFile.Open(path, 0, 0, []);
        await staging.WriteAsync(0, content, CancellationToken.None);
        staging.StartWriteback();
        staging.Dispose(); // the release closes the file; the writeback must neither throw nor keep it open

        File.Delete(path);
        Assert.False(File.Exists(path));
        using var again = StagingFile.Open(path, 0, 0, []);
        Assert.Equal(0, again.Size);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
