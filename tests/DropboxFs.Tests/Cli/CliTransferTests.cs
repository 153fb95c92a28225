using DropboxFs.Api;
using DropboxFs.Cli;

namespace DropboxFs.Tests.Cli;

[Collection(CliCollection.Name)]
public sealed class CliTransferTests(CliFixture fx) : IDisposable
{
    private readonly CliScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private async Task<byte[]> DownloadAsync(string path)
    {
        using var buffer = new MemoryStream();
        await fx.Client.DownloadAsync(path, buffer);
        return buffer.ToArray();
    }

    [Fact]
    public async Task PutThenLsJsonThenGetRoundTripsTheBytes()
    {
        var content = CliScratch.RandomBytes(300_000, seed: 1);
        var local = _scratch.WriteLocal("a.bin", content);

        var put = await CliProcess.RunAsync(fx.Args("put", local, _scratch.Remote + "/"));
        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Contains($"{_scratch.Remote}/a.bin", put.Stdout);

        var ls = CliJson.Parse(await CliProcess.RunAsync(fx.Args("ls", _scratch.Remote, "--json")));
        Assert.Equal(_scratch.Remote, ls.GetProperty("path").GetString());
        var entry = Assert.Single(ls.GetProperty("entries").EnumerateArray());
        CliJson.AssertEntryShape(entry);
        Assert.Equal("a.bin", entry.GetProperty("name").GetString());
        Assert.Equal(content.Length, entry.GetProperty("size").GetInt64());
        Assert.Equal(ContentHash.Compute(content), entry.GetProperty("content_hash").GetString());

        var target = Path.Combine(_scratch.Local, "back.bin");
        var get = await CliProcess.RunAsync(fx.Args("get", $"{_scratch.Remote}/a.bin", target));
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
    }

    [Fact]
    public async Task ResumablePutInSmallFragmentsStoresIdenticalContent()
    {
        // 1 MiB + 17 bytes in 64 KiB fragments: 17 appends, the last one short.
        var content = CliScratch.RandomBytes((1 << 20) + 17, seed: 2);
        var local = _scratch.WriteLocal("big.bin", content);

        var put = await CliProcess.RunAsync(fx.Args("put", local, $"{_scratch.Remote}/big.bin", "--resumable", "--fragment-size", "65536"));

        Assert.True(put.ExitCode == 0, put.ToString());
        var meta = Assert.IsType<FileMetadata>(await fx.Client.GetMetadataAsync($"{_scratch.Remote}/big.bin"));
        Assert.Equal(ContentHash.Compute(content), meta.ContentHash);
        Assert.Equal(content, await DownloadAsync($"{_scratch.Remote}/big.bin"));
    }

    [Fact]
    public async Task GetWithStartByteKeepsTheLocalPrefixAndAppendsTheRest()
    {
        var content = CliScratch.RandomBytes(200_000, seed: 3);
        await fx.Client.UploadAsync($"{_scratch.Remote}/r.bin", new MemoryStream(content));
        // An interrupted download: the first 70,000 bytes are right, then garbage that must be cut.
        var partial = content.AsSpan(0, 70_000).ToArray().Concat(new byte[5_000]).ToArray();
        var local = _scratch.WriteLocal("r.bin", partial);

        var get = await CliProcess.RunAsync(fx.Args("get", $"{_scratch.Remote}/r.bin", local, "--start-byte", "70000"));

        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("resumed at byte 70000", get.Stdout);
        Assert.Equal(content, await File.ReadAllBytesAsync(local));
    }

    [Fact]
    public async Task PutOverAnExistingFileFollowsTheConflictFlags()
    {
        var remote = $"{_scratch.Remote}/c.txt";
        var first = await fx.Client.UploadAsync(remote, new MemoryStream("one"u8.ToArray()));
        var local = _scratch.WriteLocal("c.txt", "two"u8.ToArray());

        var plain = await CliProcess.RunAsync(fx.Args("put", local, remote));
        Assert.True(plain.ExitCode == (int)ExitCode.Conflict, plain.ToString());
        Assert.Contains("--overwrite", plain.Stderr);

        var staleRev = await CliProcess.RunAsync(fx.Args("put", local, remote, "--if-revision", "0123456789abcdef"));
        Assert.True(staleRev.ExitCode == (int)ExitCode.Conflict, staleRev.ToString());

        var renamed = await CliProcess.RunAsync(fx.Args("put", local, remote, "--rename-if-exists"));
        Assert.True(renamed.ExitCode == 0, renamed.ToString());
        Assert.Equal("one"u8.ToArray(), await DownloadAsync(remote));

        var update = await CliProcess.RunAsync(fx.Args("put", local, remote, "--if-revision", first.Rev, "--client-modified", "2021-03-04T05:06:07Z"));
        Assert.True(update.ExitCode == 0, update.ToString());
        var meta = Assert.IsType<FileMetadata>(await fx.Client.GetMetadataAsync(remote));
        Assert.Equal("two"u8.ToArray(), await DownloadAsync(remote));
        Assert.Equal(new DateTimeOffset(2021, 3, 4, 5, 6, 7, TimeSpan.Zero), meta.ClientModified);

        var listing = await fx.Client.ListFolderAsync(_scratch.Remote);
        Assert.Equal(2, listing.Entries.Count); // c.txt and its renamed sibling
    }

    [Fact]
    public async Task GetOfAMissingFileExitsNotFoundAndPointsToLs()
    {
        var result = await CliProcess.RunAsync(fx.Args("get", $"{_scratch.Remote}/nope.bin", Path.Combine(_scratch.Local, "x")));

        Assert.True(result.ExitCode == (int)ExitCode.NotFound, result.ToString());
        Assert.Contains($"not found: {_scratch.Remote}/nope.bin", result.Stderr);
        Assert.Contains($"`dropboxfs ls {_scratch.Remote}`", result.Stderr);
        Assert.False(File.Exists(Path.Combine(_scratch.Local, "x")));
    }

    [Fact]
    public async Task LsOfAFileShowsThatFileAndGetOfAFolderSaysToList()
    {
        await fx.Client.UploadAsync($"{_scratch.Remote}/one.txt", new MemoryStream("1"u8.ToArray()));

        var ls = CliJson.Parse(await CliProcess.RunAsync(fx.Args("ls", $"{_scratch.Remote}/one.txt", "--json")));
        var entry = Assert.Single(ls.GetProperty("entries").EnumerateArray());
        Assert.Equal($"{_scratch.Remote}/one.txt", entry.GetProperty("path").GetString());

        var get = await CliProcess.RunAsync(fx.Args("get", _scratch.Remote, Path.Combine(_scratch.Local, "f")));
        Assert.True(get.ExitCode == (int)ExitCode.Error, get.ToString());
        Assert.Contains($"`dropboxfs ls {_scratch.Remote}`", get.Stderr);
    }
}
