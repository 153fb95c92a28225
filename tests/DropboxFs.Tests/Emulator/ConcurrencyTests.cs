using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class ConcurrencyTests
{
    [Fact]
    public async Task ParallelUploadsAllLandAndParallelWritesToOnePathLeaveOneFile()
    {
        await using var emu = await TestEmulator.StartAsync();
        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => emu.UploadAsync($"/p/f{i:00}.txt", $"content {i}")));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => emu.UploadAsync("/p/same.txt", $"writer {i}", "overwrite")));
        var page = await emu.RpcAsync("files/list_folder", new { path = "/p" });
        Assert.Equal(25, page.GetProperty("entries").GetArrayLength());
        var revs = await emu.RpcAsync("files/list_revisions", new { path = "/p/same.txt", limit = 100 });
        Assert.Equal(8, revs.GetProperty("entries").GetArrayLength());
    }

    [Fact]
    public async Task ConcurrentSessionChunksSentInParallelAssembleInOrder()
    {
        await using var emu = await TestEmulator.StartAsync();
        const int chunk = 4 * 1024 * 1024;
        var data = new byte[(3 * chunk) + 123];
        new Random(7).NextBytes(data);
        var id = (await OkAsync(await emu.SendContentAsync("files/upload_session/start", new { session_type = "concurrent" }, []))).GetProperty("session_id").GetString();
        var sends = Enumerable.Range(0, 4).Select(async i =>
        {
            var start = i * chunk;
            var end = Math.Min(start + chunk, data.Length);
            var arg = new { cursor = new { session_id = id, offset = start }, close = i == 3 };
            await OkAsync(await emu.SendContentAsync("files/upload_session/append_v2", arg, data[start..end]));
        });
        await Task.WhenAll(sends);
        await OkAsync(await emu.SendContentAsync("files/upload_session/finish",
            new { cursor = new { session_id = id, offset = data.Length }, commit = new { path = "/parallel.bin" } }, []));
        Assert.Equal(data, await emu.DownloadAsync("/parallel.bin"));
    }

    [Fact]
    public async Task ConcurrentSessionWithAHoleCannotFinish()
    {
        await using var emu = await TestEmulator.StartAsync();
        const int chunk = 4 * 1024 * 1024;
        var id = (await OkAsync(await emu.SendContentAsync("files/upload_session/start", new { session_type = "concurrent" }, []))).GetProperty("session_id").GetString();
        await OkAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = chunk }, close = true }, new byte[10]));
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/finish",
            new { cursor = new { session_id = id, offset = chunk + 10 }, commit = new { path = "/hole.bin" } }, []), "concurrent_session_missing_data/");
    }
}
