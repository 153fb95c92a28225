using System.Security.Cryptography;
using System.Text;
using DropboxFs.MountTests.Infrastructure;
using static DropboxFs.MountTests.Infrastructure.Run;

namespace DropboxFs.MountTests;

/// <summary>
/// What users do in a writable mount (issue 5 §3): cp -r, rsync, an editor's save, git, Office lock files.
/// Each test has its own read-write mount and its own remote folder under /Writes; what reached the server is
/// checked through the API (sizes and content_hash) after the queue drained.
/// </summary>
[Collection(MountCollection.Name)]
public sealed class WriteTests(MountFixture fx)
{
    private static readonly TimeSpan s_drain = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task CpOfAMixedTreeReadsBackIdenticallyAndEveryFileReachesTheServerIntact()
    {
        string src = LocalDir("mixed");
        Write(src, "empty.bin", 0);
        Write(src, "one byte.bin", 1);
        Write(src, "8MiB-1.bin", (8 << 20) - 1);
        Write(src, "8MiB.bin", 8 << 20);
        Write(src, "8MiB+1.bin", (8 << 20) + 1);
        Write(src, "big/100MiB.bin", 100 << 20);
        Write(src, "Café/crème brûlée.txt", 1234);
        Write(src, "日本/大阪/梅田.txt", 77);
        Write(src, "☃ snow/ünïcödé name with spaces.txt", 4096);
        Directory.CreateDirectory(Path.Combine(src, "empty folder"));
        await using var m = await WritableMount.StartAsync(fx, "cp");
        string dst = $"{m.Path}/Writes/mixed";

        await m.ShOkAsync($"mkdir -p {Q(m.Path)}/Writes && cp -r {Q(src)} {Q(dst)}", TimeSpan.FromMinutes(3));

        await m.ShOkAsync($"diff -r {Q(src)} {Q(dst)}", TimeSpan.FromMinutes(2));
        var unmount = await m.UnmountAsync();
        Assert.True(unmount.ExitCode == 0, unmount.ToString());
        Assert.Contains($"Unmounted {m.Path}.", unmount.Stdout);
        await RemoteTree.AssertMatchesAsync(fx.Client, src, "/Writes/mixed");
    }

    [Fact]
    public async Task RsyncTwiceTransfersNothingTheSecondTimeAndAChecksumRunFindsNoDifference()
    {
        string src = LocalDir("rsync");
        for (int i = 0; i < 30; i++)
        {
            Write(src, $"d{i % 3}/f{i:D2}.txt", 100 * i);
        }

        Write(src, "large.bin", 9 << 20);
        await using var m = await WritableMount.StartAsync(fx, "rsync");
        string dst = $"{m.Path}/Writes/rsync/";
        await m.ShOkAsync($"mkdir -p {Q(dst)}");

        await m.ShOkAsync($"rsync -a {Q(src + "/")} {Q(dst)}", TimeSpan.FromMinutes(2));
        string second = await m.ShOkAsync($"rsync -a --stats --itemize-changes {Q(src + "/")} {Q(dst)}", TimeSpan.FromMinutes(2));
        string checksum = await m.ShOkAsync($"rsync -rc --dry-run --itemize-changes {Q(src + "/")} {Q(dst)}", TimeSpan.FromMinutes(2));

        Assert.True(second.Contains("Number of regular files transferred: 0", StringComparison.Ordinal),
            $"the second rsync -a copied files again (itemized: > = sent, t = time differs, s = size differs):\n{second}");
        Assert.True(checksum.Trim().Length == 0, $"rsync -c finds differences:\n{checksum}");
        await m.WaitForUploadsAsync(s_drain);
        await m.UnmountAsync();
        await RemoteTree.AssertMatchesAsync(fx.Client, src, "/Writes/rsync");
    }

    [Fact]
    public async Task AnEditorStyleSaveReplacesTheFileAtomicallyAndLeavesNoTempFile()
    {
        await using var m = await WritableMount.StartAsync(fx, "editor");
        string dir = $"{m.Path}/Writes/editor";
        await m.ShOkAsync($"mkdir -p {Q(dir)} && printf 'version 1\\n' > {Q(dir)}/notes.txt");

        // What vim/gedit/VS Code do: write a temp file, fsync it, rename it over the original.
        await m.ShOkAsync($"""
            python3 -c 'import os, sys
            d = sys.argv[1]
            fd = os.open(d + "/.notes.txt.swp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.write(fd, b"version 2, saved by an editor\n")
            os.fsync(fd)
            os.close(fd)
            os.rename(d + "/.notes.txt.swp", d + "/notes.txt")' {Q(dir)}
            """);

        Assert.Equal("version 2, saved by an editor\n", await m.ShOkAsync($"cat {Q(dir)}/notes.txt"));
        Assert.Equal("notes.txt\n", await m.ShOkAsync($"ls -A {Q(dir)}"));
        await m.UnmountAsync();
        string local = LocalDir("editor");
        await File.WriteAllTextAsync(Path.Combine(local, "notes.txt"), "version 2, saved by an editor\n");
        await RemoteTree.AssertMatchesAsync(fx.Client, local, "/Writes/editor");
    }

    [Fact]
    public async Task GitInitAddCommitStatusAndLogWorkInsideTheMount()
    {
        await using var m = await WritableMount.StartAsync(fx, "git");
        string repo = $"{m.Path}/Writes/repo";
        const string git = "git -c user.name=Test -c user.email=test@example.invalid -c init.defaultBranch=main";
        await m.ShOkAsync($"mkdir -p {Q(repo)} && cd {Q(repo)} && {git} init -q && printf 'hello\\n' > a.txt && mkdir src && printf 'int x;\\n' > src/x.c", TimeSpan.FromMinutes(1));

        await m.ShOkAsync($"cd {Q(repo)} && {git} add -A && {git} commit -q -m 'first commit'", TimeSpan.FromMinutes(1));
        await m.ShOkAsync($"cd {Q(repo)} && printf 'hello again\\n' >> a.txt && {git} commit -q -am 'second commit'", TimeSpan.FromMinutes(1));
        string status = await m.ShOkAsync($"cd {Q(repo)} && {git} status --porcelain");
        string log = await m.ShOkAsync($"cd {Q(repo)} && {git} log --format=%s");
        string fsck = await m.ShOkAsync($"cd {Q(repo)} && {git} fsck --strict 2>&1", TimeSpan.FromMinutes(1));

        Assert.Equal("", status);
        Assert.Equal("second commit\nfirst commit\n", log);
        Assert.DoesNotContain("error", fsck, StringComparison.OrdinalIgnoreCase);
        await m.UnmountAsync();
        var head = await fx.Client.TryGetMetadataAsync("/Writes/repo/.git/HEAD");
        Assert.NotNull(head);
        Assert.Null(await fx.Client.TryGetMetadataAsync("/Writes/repo/.git/index.lock"));
    }

    [Fact]
    public async Task AnOfficeLockFileCanBeCreatedWrittenListedAndDeleted()
    {
        await using var m = await WritableMount.StartAsync(fx, "office");
        string dir = $"{m.Path}/Writes/office";
        await m.ShOkAsync($"mkdir -p {Q(dir)} && printf 'the document' > {Q(dir)}/report.docx");

        await m.ShOkAsync($"printf 'owner: test' > {Q(dir)}/'~$report.docx'");
        string listed = await m.ShOkAsync($"ls -A {Q(dir)}");
        string content = await m.ShOkAsync($"cat {Q(dir)}/'~$report.docx'");
        await m.ShOkAsync($"rm {Q(dir)}/'~$report.docx'");
        string after = await m.ShOkAsync($"ls -A {Q(dir)}");

        Assert.Equal("report.docx\n~$report.docx\n", listed);
        Assert.Equal("owner: test", content);
        Assert.Equal("report.docx\n", after);
        await m.UnmountAsync();
        string local = LocalDir("office");
        await File.WriteAllTextAsync(Path.Combine(local, "report.docx"), "the document");
        await RemoteTree.AssertMatchesAsync(fx.Client, local, "/Writes/office");
    }

    private string LocalDir(string name)
    {
        string dir = Path.Combine(fx.Dir, "local-" + name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Random bytes (nothing deduplicates); text names get readable content.</summary>
    private static void Write(string root, string rel, int length)
    {
        string path = Path.Combine(root, rel);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        byte[] bytes = rel.EndsWith(".txt", StringComparison.Ordinal)
            ? Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(rel + "\n", length / (rel.Length + 1) + 1)))[..length]
            : RandomNumberGenerator.GetBytes(length);
        File.WriteAllBytes(path, bytes);
    }
}
