using System.Text;
using System.Text.Json;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class UploadSessionTests
{
    private static async Task<string> StartAsync(TestEmulator emu, byte[] first, object? arg = null)
    {
        var r = await OkAsync(await emu.SendContentAsync("files/upload_session/start", arg ?? new { close = false }, first));
        return r.GetProperty("session_id").GetString()!;
    }

    [Fact]
    public async Task SequentialSessionAppendsAndFinishes()
    {
        await using var emu = await TestEmulator.StartAsync();
        var id = await StartAsync(emu, "abc"u8.ToArray());
        using var append = await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 3 } }, "def"u8.ToArray());
        Assert.Equal("null", await append.Content.ReadAsStringAsync());
        Assert.Equal("application/json", append.Content.Headers.ContentType?.ToString());
        var meta = await OkAsync(await emu.SendContentAsync("files/upload_session/finish",
            new { cursor = new { session_id = id, offset = 6 }, commit = new { path = "/s.txt" } }, "gh"u8.ToArray()));
        Assert.Equal(8, meta.GetProperty("size").GetInt64());
        Assert.False(HasTag(meta));
        Assert.Equal("abcdefgh", Encoding.UTF8.GetString(await emu.DownloadAsync("/s.txt")));
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 8 } }, "x"u8.ToArray()), "not_found/");
    }

    [Fact]
    public async Task WrongOffsetGetsIncorrectOffsetWithCorrectOffset()
    {
        await using var emu = await TestEmulator.StartAsync();
        var id = await StartAsync(emu, "abcd"u8.ToArray());
        var error = await ConflictAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 2 } }, "x"u8.ToArray()), "incorrect_offset/");
        Assert.Equal(4, error.GetProperty("correct_offset").GetInt64());
        var wrapped = await ConflictAsync(await emu.SendContentAsync("files/upload_session/finish",
            new { cursor = new { session_id = id, offset = 9 }, commit = new { path = "/x" } }, []), "lookup_failed/incorrect_offset/");
        Assert.Equal(4, wrapped.GetProperty("lookup_failed").GetProperty("correct_offset").GetInt64());
    }

    [Fact]
    public async Task ClosedSessionRefusesAppendsAndBatchFinishNeedsClosed()
    {
        await using var emu = await TestEmulator.StartAsync();
        var open = await StartAsync(emu, "open"u8.ToArray());
        var closed = await StartAsync(emu, "done"u8.ToArray(), new { close = true });
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = closed, offset = 4 } }, "x"u8.ToArray()), "closed/");
        var batch = await emu.RpcAsync("files/upload_session/finish_batch_v2", new
        {
            entries = new object[]
            {
                new { cursor = new { session_id = closed, offset = 4 }, commit = new { path = "/done.txt" } },
                new { cursor = new { session_id = open, offset = 4 }, commit = new { path = "/open.txt" } },
            },
        });
        var entries = batch.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal("success", Tag(entries[0]));
        Assert.Equal("/done.txt", entries[0].GetProperty("path_lower").GetString());
        Assert.Equal("failure", Tag(entries[1]));
        var failure = entries[1].GetProperty("failure");
        Assert.Equal("lookup_failed", Tag(failure));
        Assert.Equal("not_closed", Tag(failure.GetProperty("lookup_failed")));
    }

    [Fact]
    public async Task StartBatchAndDeprecatedFinishBatchWithCheck()
    {
        await using var emu = await TestEmulator.StartAsync();
        var ids = (await emu.RpcAsync("files/upload_session/start_batch", new { num_sessions = 2 })).GetProperty("session_ids").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(2, ids.Distinct().Count());
        for (var i = 0; i < 2; i++)
        {
            await OkAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = ids[i], offset = 0 }, close = true }, Encoding.UTF8.GetBytes($"f{i}")));
        }

        var launch = await emu.RpcAsync("files/upload_session/finish_batch", new
        {
            entries = ids.Select((id, i) => new { cursor = new { session_id = id, offset = 2 }, commit = new { path = $"/b{i}.txt" } }).ToArray(),
        });
        Assert.Equal("async_job_id", Tag(launch));
        var status = await emu.RpcAsync("files/upload_session/finish_batch/check", new { async_job_id = launch.GetProperty("async_job_id").GetString() });
        Assert.Equal("complete", Tag(status));
        Assert.All(status.GetProperty("entries").EnumerateArray(), e => Assert.Equal("success", Tag(e)));
        await ConflictAsync(await emu.PostAsync("files/upload_session/finish_batch/check", new { async_job_id = "nope" }), "invalid_async_job_id/");
    }

    [Fact]
    public async Task ConcurrentSessionTakesAlignedChunksInAnyOrder()
    {
        await using var emu = await TestEmulator.StartAsync();
        const int chunk = 4 * 1024 * 1024;
        var data = new byte[chunk + 10];
        Random.Shared.NextBytes(data);
        var id = await StartAsync(emu, [], new { session_type = "concurrent" });
        await OkAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = chunk }, close = true }, data[chunk..]));
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 5 } }, data[..chunk]), "concurrent_session_invalid_offset/");
        await OkAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 0 } }, data[..chunk]));
        var meta = await OkAsync(await emu.SendContentAsync("files/upload_session/finish",
            new { cursor = new { session_id = id, offset = data.Length }, commit = new { path = "/big.bin" } }, []));
        Assert.Equal(data.Length, meta.GetProperty("size").GetInt64());
        Assert.Equal(data, await emu.DownloadAsync("/big.bin"));
    }

    [Fact]
    public async Task ConcurrentSessionStartWithDataIsRefused()
    {
        await using var emu = await TestEmulator.StartAsync();
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/start", new { session_type = "concurrent" }, "x"u8.ToArray()), "concurrent_session_data_not_allowed/");
    }

    [Fact]
    public async Task FinishWithConflictKeepsTheSessionForARetry()
    {
        await using var emu = await TestEmulator.StartAsync();
        await emu.UploadAsync("/taken.txt", "old");
        var id = await StartAsync(emu, "new"u8.ToArray());
        var finish = new { cursor = new { session_id = id, offset = 3 }, commit = new { path = "/taken.txt" } };
        var error = await ConflictAsync(await emu.SendContentAsync("files/upload_session/finish", finish, []), "path/conflict/file/");
        Assert.Equal("conflict", Tag(error.GetProperty("path")));
        var retry = new { cursor = new { session_id = id, offset = 3 }, commit = new { path = "/taken.txt", mode = "overwrite" } };
        await OkAsync(await emu.SendContentAsync("files/upload_session/finish", retry, []));
        Assert.Equal("new", Encoding.UTF8.GetString(await emu.DownloadAsync("/taken.txt")));
    }

    [Fact]
    public async Task PerRequestContentHashIsChecked()
    {
        await using var emu = await TestEmulator.StartAsync();
        var id = await StartAsync(emu, "ab"u8.ToArray());
        var arg = new { cursor = new { session_id = id, offset = 2 }, content_hash = new string('1', 64) };
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/append_v2", arg, "cd"u8.ToArray()), "content_hash_mismatch/");
        // The refused chunk left nothing behind: offset 2 is still right.
        await OkAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 2 } }, "cd"u8.ToArray()));
    }

    [Fact]
    public async Task UnknownSessionIsNotFound()
    {
        await using var emu = await TestEmulator.StartAsync();
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/finish",
            JsonSerializer.Serialize(new { cursor = new { session_id = "nope", offset = 0 }, commit = new { path = "/x" } }), []), "lookup_failed/not_found/");
    }
}

public class AppendBatchTests
{
    [Fact]
    public async Task AppendBatchSplitsOneBodyAcrossSessionsAndReportsPerEntryFailures()
    {
        await using var emu = await TestEmulator.StartAsync();
        var ids = (await emu.RpcAsync("files/upload_session/start_batch", new { num_sessions = 2 })).GetProperty("session_ids").EnumerateArray().Select(e => e.GetString()!).ToList();
        var arg = new
        {
            entries = new object[]
            {
                new { cursor = new { session_id = ids[0], offset = 0 }, length = 3, close = true },
                new { cursor = new { session_id = ids[1], offset = 0 }, length = 2, close = true },
                new { cursor = new { session_id = ids[1], offset = 2 }, length = 1 },
            },
        };
        var result = await OkAsync(await emu.SendContentAsync("files/upload_session/append_batch", arg, "abcdeX"u8.ToArray()));
        var entries = result.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(["success", "success", "failure"], entries.Select(Tag));
        Assert.Equal("closed", Tag(entries[2].GetProperty("failure")));
        var batch = await emu.RpcAsync("files/upload_session/finish_batch_v2", new
        {
            entries = new object[]
            {
                new { cursor = new { session_id = ids[0], offset = 3 }, commit = new { path = "/x.txt" } },
                new { cursor = new { session_id = ids[1], offset = 2 }, commit = new { path = "/y.txt" } },
            },
        });
        Assert.All(batch.GetProperty("entries").EnumerateArray(), e => Assert.Equal("success", Tag(e)));
        Assert.Equal("abc", Encoding.UTF8.GetString(await emu.DownloadAsync("/x.txt")));
        Assert.Equal("de", Encoding.UTF8.GetString(await emu.DownloadAsync("/y.txt")));
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/append_batch",
            new { entries = new[] { new { cursor = new { session_id = ids[0], offset = 3 }, length = 5 } } }, "ab"u8.ToArray()), "length_mismatch/");
    }
}

public class SessionHashTests
{
    [Fact]
    public async Task SessionCommitHasTheWholeFileContentHashAcrossBlockBoundaries()
    {
        await using var emu = await TestEmulator.StartAsync();
        var data = new byte[(9 * 1024 * 1024) + 17];
        new Random(3).NextBytes(data);
        const int part = 3 * 1024 * 1024;
        var id = (await OkAsync(await emu.SendContentAsync("files/upload_session/start", new { }, data[..part]))).GetProperty("session_id").GetString();
        await OkAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = part } }, data[part..(2 * part)]));
        // A refused chunk (bad content_hash) must not poison the running hash.
        await ConflictAsync(await emu.SendContentAsync("files/upload_session/append_v2",
            new { cursor = new { session_id = id, offset = 2 * part }, content_hash = new string('a', 64) }, data[(2 * part)..(3 * part)]), "content_hash_mismatch/");
        await OkAsync(await emu.SendContentAsync("files/upload_session/append_v2", new { cursor = new { session_id = id, offset = 2 * part } }, data[(2 * part)..(3 * part)]));
        var meta = await OkAsync(await emu.SendContentAsync("files/upload_session/finish",
            new { cursor = new { session_id = id, offset = 3 * part }, commit = new { path = "/hashed.bin" } }, data[(3 * part)..]));
        Assert.Equal(DropboxFs.Emulator.Model.ContentHasher.Compute(data), meta.GetProperty("content_hash").GetString());
        Assert.Equal(data, await emu.DownloadAsync("/hashed.bin"));
    }
}
