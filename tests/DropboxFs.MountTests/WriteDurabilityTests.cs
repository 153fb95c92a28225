using System.Text.Json;
using DropboxFs.Api;
using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>
/// Nothing acknowledged is ever lost (issue 5 §3): a crash in the middle of a copy, a flaky server, a
/// concurrent remote edit, a full account; and a large sequential write streams while it is written.
/// </summary>
[Collection(MountCollection.Name)]
public sealed class WriteDurabilityTests(MountFixture fx)
{
    private static readonly TimeSpan s_drain = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task AfterKillNineEveryFileClosedBeforeTheCrashReachesTheServerOnceRemounted()
    {
        await using var m = await WritableMount.StartAsync(fx, "kill9");
        string dir = $"{m.Path}/Writes/kill9";
        string closedLog = Path.Combine(fx.Dir, "kill9-closed.log");
        await m.ShOkAsync($"mkdir -p {Q(dir)}");

        // Writes 100 files of 64 KiB..1 MiB, one at a time; after each close() returns, the file's name
        // and sha256 go to a local log (fsynced), so the log holds exactly what the mount acknowledged.
        // File 60 is left half-written and open (the log says HOLD), so the kill lands in the middle of
        // the copy whatever the machine's speed; the writer then fails on its next call (ENOTCONN).
        var writer = ShAsync($$"""
            python3 -c 'import hashlib, os, sys, time
            d, log = sys.argv[1], open(sys.argv[2], "a")
            def note(line): log.write(line + "\n"); log.flush(); os.fsync(log.fileno())
            for i in range(100):
                data = os.urandom(65536 * (1 + i % 16))
                f = open(f"{d}/f{i:03d}.bin", "wb")
                if i == 60:
                    f.write(data[:len(data) // 2]); f.flush(); note("HOLD")
                    while True: time.sleep(0.1); os.stat(d)
                f.write(data); f.close()
                note(f"f{i:03d}.bin {hashlib.sha256(data).hexdigest()}")' {{Q(dir)}} {{Q(closedLog)}}
            """, TimeSpan.FromMinutes(2));
        Assert.True(await PollAsync(() => Task.FromResult(File.Exists(closedLog) && File.ReadAllLines(closedLog).Contains("HOLD")), TimeSpan.FromMinutes(1)),
            "the writer did not reach file 60 within a minute");

        await m.KillAsync();
        var stopped = await writer;
        Assert.True(stopped.ExitCode != 0, $"the writer went on after the daemon was killed: {stopped}");
        var closed = File.ReadAllLines(closedLog).Where(l => l != "HOLD").Select(l => l.Split(' ')).ToList();
        Assert.Equal(60, closed.Count);

        await m.RestartAsync();
        await m.WaitForUploadsAsync(s_drain);
        foreach (var file in closed)
        {
            var meta = Assert.IsType<FileMetadata>(await fx.Client.TryGetMetadataAsync($"/Writes/kill9/{file[0]}"));
            using var download = new MemoryStream();
            await fx.Client.DownloadAsync($"/Writes/kill9/{file[0]}", download);
            Assert.True(file[1] == Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(download.ToArray())),
                $"{file[0]} ({meta.Size} bytes) on the server differs from what was written before the crash");
        }

        await m.UnmountAsync();
    }

    [Fact]
    public async Task ATenPercentFaultRateDuringACopyOf200FilesLosesNothing()
    {
        string src = Path.Combine(fx.Dir, "local-faults");
        Directory.CreateDirectory(src);
        for (int i = 0; i < 200; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(src, $"f{i:D3}.bin"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(1024 * (1 + i % 32)));
        }

        await using var m = await WritableMount.StartAsync(fx, "faults", "--write-back-delay", "0");
        await m.ShOkAsync($"mkdir -p {Q(m.Path)}/Writes");
        try
        {
            // 2.5% each of 429, 500, 503 and a connection reset after 1 KiB of the body: 10% of all requests.
            foreach (string kind in new[] { "too_many_requests", "internal_server_error", "service_unavailable", "reset_connection" })
            {
                await fx.ControlAsync("faults", new { kind, rate = 0.025, times = 0, retry_after = 1, after_bytes = 1024 });
            }

            await m.ShOkAsync($"cp -r {Q(src)} {Q(m.Path)}/Writes/faults", TimeSpan.FromMinutes(2));
            await m.ShOkAsync($"diff -r {Q(src)} {Q(m.Path)}/Writes/faults", TimeSpan.FromMinutes(1));
            var uploads = await m.WaitForUploadsAsync(TimeSpan.FromMinutes(3));
            Assert.Equal(0, uploads.GetProperty("failed_count").GetInt32());
        }
        finally
        {
            await fx.ControlAsync("faults/clear", new { });
        }

        await m.UnmountAsync();
        await RemoteTree.AssertMatchesAsync(fx.Client, src, "/Writes/faults");
    }

    [Fact]
    public async Task AConcurrentRemoteEditKeepsBothVersionsAsAConflictedCopyAndStatusShowsIt()
    {
        await fx.Client.UploadAsync("/Writes/conflict/doc.txt", new MemoryStream("base\n"u8.ToArray()));
        // A long write-back delay keeps the local edit pending while the remote edit lands; unmount drains it.
        await using var m = await WritableMount.StartAsync(fx, "conflict", "--write-back-delay", "10m");
        string doc = $"{m.Path}/Writes/conflict/doc.txt";
        Assert.Equal("base\n", await m.ShOkAsync($"cat {Q(doc)}"));

        await m.ShOkAsync($"printf 'local edit\\n' > {Q(doc)}");
        var pending = await m.UploadsAsync();
        await fx.Client.UploadAsync("/Writes/conflict/doc.txt", new MemoryStream("remote edit\n"u8.ToArray()), new UploadOptions { Overwrite = true });
        var unmount = await m.UnmountAsync();

        Assert.Contains(pending.GetProperty("pending").EnumerateArray(), j => j.GetProperty("path").GetString() == "/Writes/conflict/doc.txt");
        Assert.Contains("Uploading before unmount: 1 file(s)", unmount.Stderr);
        Assert.Contains("Every upload is committed.", unmount.Stderr);
        var files = new Dictionary<string, string>();
        await foreach (var e in fx.Client.ListAllAsync("/Writes/conflict"))
        {
            using var bytes = new MemoryStream();
            await fx.Client.DownloadAsync(e.PathLower!, bytes);
            files[e.Name] = System.Text.Encoding.UTF8.GetString(bytes.ToArray());
        }

        Assert.Equal("remote edit\n", files["doc.txt"]);
        var copy = Assert.Single(files, f => f.Key != "doc.txt");
        Assert.Equal("local edit\n", copy.Value);
        Assert.Contains("conflicted copy", copy.Key);

        // The conflict is in the journal, so the next mount's status still shows it.
        await m.RestartAsync();
        var conflicts = (await m.UploadsAsync()).GetProperty("conflicts").EnumerateArray().ToList();
        Assert.Contains(conflicts, c => c.GetProperty("path").GetString() == "/Writes/conflict/doc.txt"
            && c.GetProperty("conflict_path").GetString()!.EndsWith(copy.Key, StringComparison.Ordinal));
        var human = await DropboxfsProcess.RunAsync(Step, "status", m.Path);
        Assert.Contains("conflicts: 1", human.Stdout);
        Assert.Contains($"/Writes/conflict/doc.txt → kept as /Writes/conflict/{copy.Key}", human.Stdout);
        await m.UnmountAsync();
    }

    [Fact]
    public async Task AFullAccountIsReportedAndLosesNothing()
    {
        long used = (await fx.Client.GetSpaceUsageAsync()).Used;
        await using var m = await WritableMount.StartAsync(fx, "quota", "--write-back-delay", "0");
        string dir = $"{m.Path}/Writes/quota";
        await m.ShOkAsync($"mkdir -p {Q(dir)}");
        byte[] data = System.Security.Cryptography.RandomNumberGenerator.GetBytes(4 << 20);
        string local = Path.Combine(fx.Dir, "quota.bin");
        await File.WriteAllBytesAsync(local, data);
        RunResult second;
        JsonElement failed;
        await fx.ControlAsync("quota", new { bytes = used + (1 << 20) });
        try
        {
            await m.ShOkAsync($"cp {Q(local)} {Q(dir)}/first.bin");
            Assert.True(await PollAsync(async () => (await m.UploadsAsync()).GetProperty("failed_count").GetInt32() > 0, TimeSpan.FromMinutes(1)),
                "status never reported the upload that did not fit");
            failed = (await m.UploadsAsync()).GetProperty("pending").EnumerateArray().First(j => j.GetProperty("path").GetString() == "/Writes/quota/first.bin");

            // Once the account is known to be full, fsync says so at once.
            second = await ShAsync($"dd if={Q(local)} of={Q(dir)}/second.bin bs=1M conv=fsync status=none");
            Assert.Equal(data, await File.ReadAllBytesAsync($"{dir}/first.bin"));
            var unmount = await m.UnmountAsync();
            Assert.True(unmount.ExitCode == 6, $"unmount with uploads that do not fit should exit NoSpace (6): {unmount}");
            Assert.Contains("first.bin", unmount.Stderr);
            Assert.Contains("full", unmount.Stderr);

            // Nothing lost: the next mount still has the data and still reports it.
            await m.RestartAsync();
            Assert.Equal(data, await File.ReadAllBytesAsync($"{m.Path}/Writes/quota/first.bin"));
            Assert.Contains((await m.UploadsAsync()).GetProperty("pending").EnumerateArray(), j => j.GetProperty("path").GetString() == "/Writes/quota/first.bin");
            await m.UnmountAsync(force: true);
        }
        finally
        {
            await fx.ControlAsync("quota", new { bytes = MountFixture.QuotaBytes });
        }

        Assert.True(failed.GetProperty("no_space").GetBoolean(), failed.ToString());
        Assert.NotNull(failed.GetProperty("last_error").GetString());
        Assert.True(second.ExitCode != 0 && second.Stderr.Contains("No space left on device", StringComparison.Ordinal), $"fsync into a full account: {second}");
        Assert.Null(await fx.Client.TryGetMetadataAsync("/Writes/quota/first.bin"));
    }

    [Fact]
    public async Task ALargeSequentialWriteStreamsFragmentsBeforeTheFileIsClosed()
    {
        await using var m = await WritableMount.StartAsync(fx, "stream");
        string dir = $"{m.Path}/Writes/stream";
        await m.ShOkAsync($"mkdir -p {Q(dir)}");
        await fx.ControlAsync("counters/reset", new { });

        // 40 MiB written and still open: several 8 MiB fragments must be appended to a session by now.
        string local = Path.Combine(fx.Dir, "stream.bin");
        await File.WriteAllBytesAsync(local, System.Security.Cryptography.RandomNumberGenerator.GetBytes(48 << 20));
        await using (var f = new FileStream($"{dir}/big.bin", FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 20))
        await using (var source = File.OpenRead(local))
        {
            byte[] buffer = new byte[1 << 20];
            for (int i = 0; i < 40; i++)
            {
                await source.ReadExactlyAsync(buffer);
                await f.WriteAsync(buffer);
            }

            await f.FlushAsync();
            bool streamed = await PollAsync(async () => await AppendsAsync() >= 2, TimeSpan.FromSeconds(30));
            Assert.True(streamed, $"no upload_session/append_v2 while the file was open: {await fx.ControlAsync("counters")}");
            await source.CopyToAsync(f);
        }

        await m.UnmountAsync();
        var meta = Assert.IsType<FileMetadata>(await fx.Client.GetMetadataAsync("/Writes/stream/big.bin"));
        Assert.Equal(await ContentHash.ComputeFileAsync(local), meta.ContentHash);
    }

    private async Task<long> AppendsAsync()
    {
        using var doc = JsonDocument.Parse(await fx.ControlAsync("counters"));
        return doc.RootElement.GetProperty("routes").TryGetProperty("files/upload_session/append_v2", out var n)
            ? n.GetInt64()
            : 0;
    }
}
