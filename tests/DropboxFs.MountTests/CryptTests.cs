using System.Text.Json;
using DropboxFs.Api;
using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>
/// `mount --encrypt`: rclone crypt folders (the golden fixtures, and files written by
/// `dropboxfs put --password-file`) mounted by the real binary under /Crypt, each test in its own
/// remote folder and on its own mountpoint.
/// </summary>
[Collection(MountCollection.Name)]
public sealed class CryptTests(MountFixture fx)
{
    private const string Password = "correct horse battery staple";
    private static readonly TimeSpan s_exit = TimeSpan.FromSeconds(20);
    private static readonly Lazy<string> s_fixtures = new(FindFixtures);

    public static TheoryData<string, string[]> Folders => new()
    {
        { "standard", [] },
        { "off-salted", ["--filename-encryption", "off", "--salt-file", "SALT"] },
        { "obfuscate-plaindirs", ["--filename-encryption", "obfuscate", "--directory-name-encryption", "false"] },
    };

    [Theory]
    [MemberData(nameof(Folders))]
    public async Task AMountOfTheFixtureFolderReadsBackEveryPlaintextFile(string folder, string[] flags)
    {
        string remote = await SeedAsync(folder);
        string mnt = NewMountPoint(folder);
        var mount = await MountAsync(mnt, remote, flags);
        try
        {
            string plain = Path.Combine(s_fixtures.Value, "plain");
            var expected = Directory.EnumerateFiles(plain, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(plain, f))
                .Where(f => folder != "standard" || !f.StartsWith("nnnn", StringComparison.Ordinal)) // rclone refused that name
                .Order(StringComparer.Ordinal).ToList();
            var listed = (await ShOkAsync($"cd {Q(mnt)} && find . -type f | sed 's|^./||' | LC_ALL=C sort")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(expected, listed);
            foreach (string file in expected)
            {
                await ShOkAsync($"cmp {Q(Path.Combine(plain, file))} {Q(Path.Combine(mnt, file))}");
                Assert.Equal(new FileInfo(Path.Combine(plain, file)).Length, new FileInfo(Path.Combine(mnt, file)).Length);
            }
        }
        finally
        {
            await StopAsync(mount, mnt);
        }
    }

    [Fact]
    public async Task ReadsAtRandomOffsetsMatchThePlaintextAndPutFilesMount()
    {
        string remote = $"/Crypt/random-{Guid.NewGuid():N}";
        string local = Path.Combine(fx.Dir, $"random-{Guid.NewGuid():N}.bin");
        byte[] content = new byte[(3 << 20) + 12345];
        new Random(45).NextBytes(content);
        await File.WriteAllBytesAsync(local, content);
        await PutAsync(local, remote, "/big.bin");

        string mnt = NewMountPoint("random");
        var mount = await MountAsync(mnt, remote, []);
        try
        {
            Assert.Equal(content.Length, new FileInfo(Path.Combine(mnt, "big.bin")).Length);
            var random = new Random(46);
            for (int i = 0; i < 12; i++)
            {
                int block = random.Next(1, 5000);
                long skip = random.NextInt64(content.Length / block + 2);
                int count = random.Next(1, 40);
                string got = await ShOkAsync($"dd if={Q(Path.Combine(mnt, "big.bin"))} bs={block} skip={skip} count={count} status=none | sha256sum");
                long from = Math.Min(content.Length, skip * block);
                long to = Math.Min(content.Length, from + ((long)count * block));
                string want = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content.AsSpan((int)from, (int)(to - from))));
                Assert.StartsWith(want, got, StringComparison.Ordinal);
            }

            await ShOkAsync($"cmp {Q(local)} {Q(Path.Combine(mnt, "big.bin"))}");
        }
        finally
        {
            await StopAsync(mount, mnt);
        }
    }

    [Fact]
    public async Task AFlippedByteAndATruncatedBlockGiveEioAndUndecryptableNamesAreCounted()
    {
        string remote = $"/Crypt/tamper-{Guid.NewGuid():N}";
        // Three and four blocks: the stored sizes tell the two stored names apart.
        string flipped = Path.Combine(fx.Dir, $"flip-{Guid.NewGuid():N}.bin");
        string cut = Path.Combine(fx.Dir, $"cut-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(flipped, new byte[3 * 65536]);
        await File.WriteAllBytesAsync(cut, new byte[4 * 65536]);
        await PutAsync(flipped, remote, "/flipped.bin");
        await PutAsync(cut, remote, "/cut.bin");
        var stored = (await fx.Client.ListFolderAsync(remote)).Entries.OfType<FileMetadata>().ToList();
        var flippedMeta = stored.Single(e => e.Size == 32 + (3 * 65552));
        var cutMeta = stored.Single(e => e.Size == 32 + (4 * 65552));
        byte[] bytes = await DownloadAsync(flippedMeta.PathDisplay!);
        bytes[32 + 65552 + 1000] ^= 0x01; // inside block 1
        await fx.Client.UploadAsync(flippedMeta.PathDisplay!, new MemoryStream(bytes), new UploadOptions { Overwrite = true });
        byte[] cutBytes = await DownloadAsync(cutMeta.PathDisplay!);
        await fx.Client.UploadAsync(cutMeta.PathDisplay!, new MemoryStream(cutBytes[..^100]), new UploadOptions { Overwrite = true });
        await fx.Client.UploadAsync($"{remote}/notes (conflicted copy).txt", new MemoryStream("plain"u8.ToArray()));

        string mnt = NewMountPoint("tamper");
        var mount = await MountAsync(mnt, remote, []);
        try
        {
            string f = Path.Combine(mnt, "flipped.bin");
            Assert.Equal("65536 0", (await ShOkAsync($"dd if={Q(f)} bs=65536 count=1 status=none | tee /dev/null | wc -c | tr '\\n' ' '; dd if={Q(f)} bs=65536 count=1 status=none | tr -d '\\000' | wc -c")).Trim());
            var bad = await ShAsync($"dd if={Q(f)} of=/dev/null bs=65536 skip=1 count=1");
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains("Input/output error", bad.Stderr, StringComparison.Ordinal);
            var truncated = await ShAsync($"dd if={Q(Path.Combine(mnt, "cut.bin"))} of=/dev/null bs=65536 skip=3");
            Assert.NotEqual(0, truncated.ExitCode);
            Assert.Contains("Input/output error", truncated.Stderr, StringComparison.Ordinal);

            Assert.Equal(["cut.bin", "flipped.bin"], (await ShOkAsync($"ls {Q(mnt)}")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            var status = await DropboxfsProcess.RunAsync(Step, "status", mnt, "--json");
            using var doc = JsonDocument.Parse(status.Stdout);
            var encryption = doc.RootElement.GetProperty("encryption");
            Assert.Equal(1, encryption.GetProperty("undecryptable").GetInt32());
            Assert.Equal("notes (conflicted copy).txt", encryption.GetProperty("undecryptable_recent")[0].GetString());
        }
        finally
        {
            await StopAsync(mount, mnt);
        }
    }

    [Fact]
    public async Task AWrongPasswordRefusesToMount()
    {
        string remote = await SeedAsync("standard");
        string mnt = NewMountPoint("wrong");
        string wrong = Path.Combine(fx.Dir, $"wrong-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(wrong, "correct horse battery stapler\n");

        using var mount = fx.StartMountProcess(mnt, "--read-only", "--remote-root", remote, "--encrypt", "--password-file", wrong);
        int exit = await mount.WaitForExitAsync(s_exit);

        Assert.True(exit == 10, mount.Output); // ExitCode.DecryptFailed
        Assert.Contains("refusing to mount", mount.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("stapler", mount.Output, StringComparison.Ordinal);
        Assert.False(Mounts.IsMounted(mnt));
    }

    [Fact]
    public async Task ANameOneCharacterOverTheLimitGivesEnametoolong()
    {
        string remote = await SeedAsync("standard");
        await using var mount = await WritableMount.StartAsync(fx, "crypt-long", "--remote-root", remote, "--encrypt", "--password-file", await PasswordFileAsync());

        // 143 bytes encrypt to 231 characters; 144 pad to 160 bytes = 256 characters, one over 255.
        var tooLong = await ShAsync($"touch {Q(Path.Combine(mount.Path, new string('n', 144)))}");
        Assert.NotEqual(0, tooLong.ExitCode);
        Assert.Contains("File name too long", tooLong.Stderr, StringComparison.Ordinal);
        var mkdir = await ShAsync($"mkdir {Q(Path.Combine(mount.Path, new string('d', 144)))}");
        Assert.Contains("File name too long", mkdir.Stderr, StringComparison.Ordinal);
        Assert.Equal("143", (await ShOkAsync($"stat -f -c %l {Q(mount.Path)}")).Trim());
        await mount.UnmountAsync(force: true);
    }

    [Fact]
    public async Task WritesThroughTheMountUploadRcloneCryptThatGetDecrypts()
    {
        string remote = $"/Crypt/writes-{Guid.NewGuid():N}";
        await fx.Client.CreateFolderAsync(remote);
        byte[] content = new byte[(2 * 65536) + 999];
        new Random(47).NextBytes(content);
        string local = Path.Combine(fx.Dir, $"w-{Guid.NewGuid():N}.bin");
        await File.WriteAllBytesAsync(local, content);
        await using var mount = await WritableMount.StartAsync(fx, "crypt-writes", "--remote-root", remote, "--encrypt", "--password-file", await PasswordFileAsync());
        string big = Path.Combine(mount.Path, "docs", "big.bin");
        string log = Path.Combine(mount.Path, "docs", "log.txt");

        await ShOkAsync($"mkdir {Q(Path.Combine(mount.Path, "docs"))} && cp {Q(local)} {Q(big)}");
        await ShOkAsync($"for i in 1 2 3; do echo line $i >> {Q(log)}; done");
        await ShOkAsync($"printf XYZ | dd of={Q(big)} bs=1 seek=70000 conv=notrunc status=none");
        content[70000] = (byte)'X'; content[70001] = (byte)'Y'; content[70002] = (byte)'Z';
        Assert.Equal(content, await File.ReadAllBytesAsync(big));
        Assert.Equal("line 1\nline 2\nline 3\n", await File.ReadAllTextAsync(log));
        await mount.WaitForUploadsAsync(TimeSpan.FromSeconds(60));

        string back = Path.Combine(fx.Dir, $"back-{Guid.NewGuid():N}.bin");
        var get = await DropboxfsProcess.RunAsync(Step, "get", "/docs/big.bin", back, "--crypt-root", remote,
            "--password-file", await PasswordFileAsync(), "--endpoint", fx.BaseUri.AbsoluteUri, "--token", MountFixture.Token);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(content, await File.ReadAllBytesAsync(back));
        var stored = (await fx.Client.ListFolderAsync(remote)).Entries.Select(e => e.Name).ToList();
        Assert.DoesNotContain("docs", stored);
        await mount.UnmountAsync();
    }

    private async Task<string> SeedAsync(string folder)
    {
        string remote = $"/Crypt/{folder}-{Guid.NewGuid():N}";
        await fx.ControlAsync("seed", new { local_path = Path.Combine(s_fixtures.Value, folder), remote_path = remote });
        return remote;
    }

    private async Task<DropboxfsProcess> MountAsync(string mnt, string remote, string[] flags)
    {
        string[] resolved = [.. flags.Select(f => f == "SALT" ? SaltFile() : f)];
        return await fx.StartMountAsync(mnt, ["--read-only", "--remote-root", remote, "--encrypt", "--password-file", await PasswordFileAsync(), .. resolved]);
    }

    private async Task PutAsync(string local, string cryptRoot, string plainRemote)
    {
        var put = await DropboxfsProcess.RunAsync(TimeSpan.FromMinutes(2), "put", local, plainRemote, "--crypt-root", cryptRoot,
            "--password-file", await PasswordFileAsync(), "--endpoint", fx.BaseUri.AbsoluteUri, "--token", MountFixture.Token);
        Assert.True(put.ExitCode == 0, put.ToString());
    }

    private async Task<byte[]> DownloadAsync(string path)
    {
        using var buffer = new MemoryStream();
        await fx.Client.DownloadAsync(path, buffer);
        return buffer.ToArray();
    }

    private async Task<string> PasswordFileAsync()
    {
        string path = Path.Combine(fx.Dir, "crypt-password");
        await File.WriteAllTextAsync(path, Password + "\n");
        return path;
    }

    private string SaltFile()
    {
        string path = Path.Combine(fx.Dir, "crypt-salt");
        File.WriteAllText(path, "pepper\n");
        return path;
    }

    private static async Task StopAsync(DropboxfsProcess mount, string mnt)
    {
        await SignalAsync(mount.Id, "TERM");
        Assert.True(await mount.WaitForExitAsync(s_exit) == 0, mount.Output);
        Assert.False(Mounts.IsMounted(mnt));
        mount.Dispose();
    }

    private string NewMountPoint(string name)
    {
        string mnt = Path.Combine(fx.Dir, $"crypt-{name}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(mnt);
        return mnt;
    }

    /// <summary>The golden rclone folders, from the unit tests' copy in this checkout.</summary>
    private static string FindFixtures()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "tests", "DropboxFs.Tests", "Fixtures", "rclone-crypt");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/DropboxFs.Tests/Fixtures/rclone-crypt not found above " + AppContext.BaseDirectory);
    }
}
