using System.Text;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Fuse;

/// <summary>
/// Real mounts of the adapter over /dev/fuse (needs root or a working fusermount3), driven by the
/// standard tools. Every test unmounts in finally and fails if a mount is left behind.
/// </summary>
public sealed class FuseMountTests : IDisposable
{
    private static readonly TimeSpan s_step = ProcessRunner.DefaultTimeout;
    private readonly MountScratch _scratch = new("fuse-mount-");

    private string Dir => _scratch.Dir;

    private string Mnt => _scratch.MountPoint;

    public void Dispose() => _scratch.Dispose();

    [Theory]
    [InlineData(FuseMountMethod.Syscall)]
    [InlineData(FuseMountMethod.Fusermount)]
    public async Task ToolsReadListStatWriteAndRenameThroughTheMount(FuseMountMethod method)
    {
        var fs = new MemoryFileSystem();
        byte[] big = Enumerable.Range(0, 3 << 20).Select(i => (byte)(i * 7 + (i >> 12))).ToArray();
        fs.AddFile(IFileSystem.RootNodeId, "hello.txt", Encoding.UTF8.GetBytes("hello, fuse\n"));
        ulong dir = fs.AddDirectory(IFileSystem.RootNodeId, "Sub dir");
        fs.AddFile(dir, "big.bin", big);

        await using var mount = new FuseMount(fs, new FuseMountOptions { MountPoint = Mnt, Method = method });
        var run = mount.RunAsync(CancellationToken.None);
        try
        {
            await mount.Ready.WaitAsync(s_step);
            Assert.True(FuseMount.IsMountPoint(Mnt));
            Assert.Equal("1024", (await File.ReadAllTextAsync($"/sys/class/bdi/{FuseMount.FindDevice(Mnt)}/read_ahead_kb")).Trim());

            Assert.Equal("Sub dir\nhello.txt\n", await ProcessRunner.ShAsync($"ls '{Mnt}'"));
            Assert.Equal("hello, fuse\n", await ProcessRunner.ShAsync($"cat '{Mnt}/hello.txt'"));
            Assert.Equal($"{big.Length} {(big.Length + 511) / 512} 1048576 regular file\n",
                await ProcessRunner.ShAsync($"stat -c '%s %b %o %F' '{Mnt}/Sub dir/big.bin'"));

            string ddOut = Path.Combine(Dir, "range.bin");
            await ProcessRunner.ShAsync($"dd if='{Mnt}/Sub dir/big.bin' of='{ddOut}' bs=4096 skip=300 count=5 status=none");
            Assert.Equal(big.AsSpan(300 * 4096, 5 * 4096).ToArray(), await File.ReadAllBytesAsync(ddOut));
            Assert.Equal(Sha256(big), (await ProcessRunner.ShAsync($"sha256sum < '{Mnt}/Sub dir/big.bin'")).Split(' ')[0]);

            await ProcessRunner.ShAsync($"printf 'written through' > '{Mnt}/new.txt'");
            ulong created = fs.Find(IFileSystem.RootNodeId, "new.txt") ?? throw new Xunit.Sdk.XunitException("CREATE did not reach the facade");
            Assert.Equal("written through", Encoding.UTF8.GetString(fs.ContentOf(created)));

            await ProcessRunner.ShAsync($"mv '{Mnt}/new.txt' '{Mnt}/Sub dir/renamed.txt'");
            Assert.Null(fs.Find(IFileSystem.RootNodeId, "new.txt"));
            Assert.Equal(created, fs.Find(dir, "renamed.txt"));
            Assert.Equal("written through", await ProcessRunner.ShAsync($"cat '{Mnt}/Sub dir/renamed.txt'"));

            await ProcessRunner.ShAsync($"mkdir '{Mnt}/made' && touch -d 2001-02-03T04:05:06Z '{Mnt}/Sub dir/renamed.txt' && rm '{Mnt}/hello.txt' && rmdir '{Mnt}/made'");
            Assert.Null(fs.Find(IFileSystem.RootNodeId, "hello.txt"));
            Assert.Null(fs.Find(IFileSystem.RootNodeId, "made"));
            Assert.Equal("981173106\n", await ProcessRunner.ShAsync($"stat -c %Y '{Mnt}/Sub dir/renamed.txt'"));
            Assert.Equal($"4096 {(2L << 40) / 4096} {(1L << 40) / 4096}\n", await ProcessRunner.ShAsync($"stat -f -c '%S %b %a' '{Mnt}'")); // what df reads

            var missing = await ProcessRunner.RunAsync("stat", $"{Mnt}/missing");
            Assert.NotEqual(0, missing.Exit);
            Assert.Contains("No such file", missing.Output);
        }
        finally
        {
            mount.Unmount();
            await run.WaitAsync(s_step);
        }

        Assert.False(FuseMount.IsMountPoint(Mnt));
    }

    [Fact]
    public async Task MountingOnABusyMountpointFailsClearlyAndLeavesTheLiveMountServing()
    {
        var fs = new MemoryFileSystem();
        fs.AddFile(IFileSystem.RootNodeId, "first.txt", [1]);
        await using var first = new FuseMount(fs, new FuseMountOptions { MountPoint = Mnt });
        var run = first.RunAsync(CancellationToken.None);
        try
        {
            await first.Ready.WaitAsync(s_step);
            var second = new FuseMount(new MemoryFileSystem(), new FuseMountOptions { MountPoint = Mnt });

            var e = await Assert.ThrowsAsync<FuseMountException>(() => second.RunAsync(CancellationToken.None));
            await Assert.ThrowsAsync<FuseMountException>(() => second.Ready);
            second.Unmount();
            await second.DisposeAsync(); // must not touch the first instance's mount

            Assert.Contains("already a mount point", e.Message);
            Assert.True(FuseMount.IsMountPoint(Mnt));
            Assert.Equal("first.txt\n", await ProcessRunner.ShAsync($"ls '{Mnt}'"));
        }
        finally
        {
            first.Unmount();
            await run.WaitAsync(s_step);
        }
    }

    [Fact]
    public async Task MountingOnAMissingOrNonEmptyDirectoryFailsWithAClearMessage()
    {
        string missing = Path.Combine(Dir, "nope");
        await using var a = new FuseMount(new MemoryFileSystem(), new FuseMountOptions { MountPoint = missing });
        var e1 = await Assert.ThrowsAsync<FuseMountException>(() => a.RunAsync(CancellationToken.None));

        await File.WriteAllTextAsync(Path.Combine(Mnt, "x"), "x");
        await using var b = new FuseMount(new MemoryFileSystem(), new FuseMountOptions { MountPoint = Mnt });
        var e2 = await Assert.ThrowsAsync<FuseMountException>(() => b.RunAsync(CancellationToken.None));

        Assert.Contains("does not exist", e1.Message);
        Assert.Contains("mkdir -p", e1.Message);
        Assert.Contains("not empty", e2.Message);
        Assert.False(FuseMount.IsMountPoint(Mnt));
    }

    [Fact]
    public async Task CancellingRunUnmountsAndFinishes()
    {
        using var cts = new CancellationTokenSource();
        await using var mount = new FuseMount(new MemoryFileSystem(), new FuseMountOptions { MountPoint = Mnt });
        var run = mount.RunAsync(cts.Token);
        await mount.Ready.WaitAsync(s_step);

        await cts.CancelAsync();
        await run.WaitAsync(s_step);

        Assert.False(FuseMount.IsMountPoint(Mnt));
    }

    [Fact]
    public async Task AStaleMountLeftByADeadDaemonIsClearedAtTheNextMount()
    {
        // A daemon that died: mounted with mount(2), then its /dev/fuse fd closed → ENOTCONN.
        int fd = DropboxFs.Fuse.Native.Libc.Open("/dev/fuse", DropboxFs.Fuse.Native.Libc.ORdWr);
        Assert.True(fd >= 0);
        int rc = DropboxFs.Fuse.Native.Libc.Mount("dropboxfs", Mnt, "fuse.dropboxfs", 6, $"fd={fd},rootmode=40000,user_id=0,group_id=0");
        DropboxFs.Fuse.Native.Libc.Close(fd);
        Assert.Equal(0, rc);
        Assert.True(FuseMount.IsMountPoint(Mnt));
        Assert.Equal(DropboxFs.Fuse.Errno.ENOTCONN, DropboxFs.Fuse.Native.Libc.Access(Mnt, 0) == 0 ? 0 : DropboxFs.Fuse.Native.Libc.LastErrno);

        var fs = new MemoryFileSystem();
        fs.AddFile(IFileSystem.RootNodeId, "alive.txt", [1]);
        await using var mount = new FuseMount(fs, new FuseMountOptions { MountPoint = Mnt });
        var run = mount.RunAsync(CancellationToken.None);
        try
        {
            await mount.Ready.WaitAsync(s_step);
            Assert.Equal("alive.txt\n", await ProcessRunner.ShAsync($"ls '{Mnt}'"));
        }
        finally
        {
            mount.Unmount();
            await run.WaitAsync(s_step);
        }

        Assert.False(FuseMount.IsMountPoint(Mnt));
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data));
}
