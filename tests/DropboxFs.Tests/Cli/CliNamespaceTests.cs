using System.Text.Json;
using DropboxFs.Api;
using DropboxFs.Cli;

namespace DropboxFs.Tests.Cli;

[Collection(CliCollection.Name)]
public sealed class CliNamespaceTests(CliFixture fx) : IDisposable
{
    private readonly CliScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task MkdirCpMvRmChangeTheTreeAndReportConflictsAndMissingPaths()
    {
        var root = _scratch.Remote;
        await fx.Client.UploadAsync($"{root}/f.txt", new MemoryStream("x"u8.ToArray()));

        var mkdir = await CliProcess.RunAsync(fx.Args("mkdir", $"{root}/d"));
        Assert.True(mkdir.ExitCode == 0, mkdir.ToString());
        var again = await CliProcess.RunAsync(fx.Args("mkdir", $"{root}/d"));
        Assert.True(again.ExitCode == (int)ExitCode.Conflict, again.ToString());

        var cp = await CliProcess.RunAsync(fx.Args("cp", $"{root}/f.txt", $"{root}/d/"));
        Assert.True(cp.ExitCode == 0, cp.ToString());
        var mv = await CliProcess.RunAsync(fx.Args("mv", $"{root}/f.txt", $"{root}/g.txt"));
        Assert.True(mv.ExitCode == 0, mv.ToString());
        var mvMissing = await CliProcess.RunAsync(fx.Args("mv", $"{root}/f.txt", $"{root}/h.txt"));
        Assert.True(mvMissing.ExitCode == (int)ExitCode.NotFound, mvMissing.ToString());
        Assert.Contains($"not found: {root}/f.txt", mvMissing.Stderr);
        var mvOnto = await CliProcess.RunAsync(fx.Args("mv", $"{root}/g.txt", $"{root}/d/f.txt"));
        Assert.True(mvOnto.ExitCode == (int)ExitCode.Conflict, mvOnto.ToString());

        var rm = await CliProcess.RunAsync(fx.Args("rm", $"{root}/d"));
        Assert.True(rm.ExitCode == 0, rm.ToString());

        var names = new List<string>();
        await foreach (var entry in fx.Client.ListAllAsync(root, new ListFolderOptions { Recursive = true }))
        {
            names.Add(entry.PathLower!);
        }

        Assert.Equal([root, $"{root}/g.txt"], names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task LsRecursiveLongPrintsFullPathsAndIncludeDeletedShowsDeletions()
    {
        var root = _scratch.Remote;
        await fx.Client.UploadAsync($"{root}/sub/keep.txt", new MemoryStream("k"u8.ToArray()));
        await fx.Client.UploadAsync($"{root}/gone.txt", new MemoryStream("g"u8.ToArray()));
        await fx.Client.DeleteAsync($"{root}/gone.txt");

        var human = await CliProcess.RunAsync(fx.Args("ls", root, "-R", "--long"));
        Assert.True(human.ExitCode == 0, human.ToString());
        var lines = human.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("folder", lines[0]);
        Assert.EndsWith($"{root}/sub/", lines[0]);
        Assert.StartsWith("file", lines[1]);
        Assert.EndsWith($"{root}/sub/keep.txt", lines[1]);

        var json = CliJson.Parse(await CliProcess.RunAsync(fx.Args("ls", root, "--include-deleted", "--json")));
        var entries = json.GetProperty("entries").EnumerateArray().ToList();
        entries.ForEach(CliJson.AssertEntryShape);
        Assert.Contains(entries, e => e.GetProperty("type").GetString() == "deleted" && e.GetProperty("name").GetString() == "gone.txt");
    }

    [Fact]
    public async Task RevisionsJsonListsEachUploadAndRestoreBringsBackTheOldContent()
    {
        var path = $"{_scratch.Remote}/v.txt";
        var v1 = await fx.Client.UploadAsync(path, new MemoryStream("version one"u8.ToArray()));
        var v2 = await fx.Client.UploadAsync(path, new MemoryStream("version two!"u8.ToArray()), new UploadOptions { Overwrite = true });

        var json = CliJson.Parse(await CliProcess.RunAsync(fx.Args("revisions", path, "--json", "--limit", "5")));
        Assert.False(json.GetProperty("is_deleted").GetBoolean());
        var revs = json.GetProperty("entries").EnumerateArray().ToList();
        revs.ForEach(CliJson.AssertEntryShape);
        Assert.Equal([v2.Rev, v1.Rev], revs.Select(r => r.GetProperty("rev").GetString()));

        var restore = await CliProcess.RunAsync(fx.Args("restore", path, v1.Rev));
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var cat = await CliProcess.RunAsync(fx.Args("get", path, "-"));
        Assert.True(cat.ExitCode == 0, cat.ToString());
        Assert.Equal("version one\n", cat.Stdout); // `get PATH -` writes the bytes to stdout

        var badRev = await CliProcess.RunAsync(fx.Args("restore", path, "0123456789abcdef0"));
        Assert.True(badRev.ExitCode == (int)ExitCode.NotFound, badRev.ToString());
        Assert.Contains($"`dropboxfs revisions {path}`", badRev.Stderr);

        var badMode = await CliProcess.RunAsync(fx.Args("revisions", path, "--mode", "sideways"));
        Assert.True(badMode.ExitCode == (int)ExitCode.Usage, badMode.ToString());
    }
}
