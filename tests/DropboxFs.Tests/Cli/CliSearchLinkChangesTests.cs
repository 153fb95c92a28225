using System.Text.Json;
using DropboxFs.Api;
using DropboxFs.Cli;

namespace DropboxFs.Tests.Cli;

[Collection(CliCollection.Name)]
public sealed class CliSearchLinkChangesTests(CliFixture fx) : IDisposable
{
    private readonly CliScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task SearchJsonFindsByNameInsideAFolderAndFiltersByExtension()
    {
        var root = _scratch.Remote;
        await fx.Client.UploadAsync($"{root}/quarterly-report.txt", new MemoryStream("a"u8.ToArray()));
        await fx.Client.UploadAsync($"{root}/quarterly-report.pdf", new MemoryStream("b"u8.ToArray()));
        await fx.Client.UploadAsync("/elsewhere-quarterly-report.txt", new MemoryStream("c"u8.ToArray()), new UploadOptions { Overwrite = true });

        var json = CliJson.Parse(await CliProcess.RunAsync(fx.Args("search", "quarterly", "--path", root, "--ext", "txt", "--json")));

        Assert.Equal("quarterly", json.GetProperty("query").GetString());
        var match = Assert.Single(json.GetProperty("matches").EnumerateArray());
        CliJson.AssertEntryShape(match);
        Assert.True(match.TryGetProperty("match_type", out _));
        Assert.Equal($"{root}/quarterly-report.txt", match.GetProperty("path").GetString());
    }

    [Fact]
    public async Task LinkCreateListAndRevokeManageOneSharedLink()
    {
        var path = $"{_scratch.Remote}/shared.txt";
        await fx.Client.UploadAsync(path, new MemoryStream("s"u8.ToArray()));

        var create = await CliProcess.RunAsync(fx.Args("link", "create", path));
        Assert.True(create.ExitCode == 0, create.ToString());
        var url = create.Stdout.Trim();
        Assert.StartsWith("http", url);

        var twice = await CliProcess.RunAsync(fx.Args("link", "create", path));
        Assert.True(twice.ExitCode == (int)ExitCode.Conflict, twice.ToString());
        Assert.Contains($"`dropboxfs link list {path}`", twice.Stderr);

        var list = CliJson.Parse(await CliProcess.RunAsync(fx.Args("link", "list", path, "--json")));
        var link = Assert.Single(list.GetProperty("links").EnumerateArray());
        Assert.Equal(url, link.GetProperty("url").GetString());
        Assert.Equal(path, link.GetProperty("path_lower").GetString());

        var revoke = await CliProcess.RunAsync(fx.Args("link", "revoke", url));
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.Empty((await fx.Client.ListSharedLinksAsync(path, directOnly: true)).Links);
    }

    [Fact]
    public async Task ChangesFollowPrintsUploadsAsTheyHappenAndCtrlCExits130()
    {
        var root = _scratch.Remote;
        await fx.Client.CreateFolderAsync(root);
        using var watch = CliProcess.Start(fx.Args("changes", root, "--follow", "--json"));
        await watch.WaitForLineAsync(l => l.StartsWith("watching", StringComparison.Ordinal));

        await fx.Client.UploadAsync($"{root}/new.txt", new MemoryStream("n"u8.ToArray()));
        var line = await watch.WaitForLineAsync(l => l.Contains("new.txt", StringComparison.Ordinal));
        var entry = JsonDocument.Parse(line).RootElement;
        CliJson.AssertEntryShape(entry);
        Assert.Equal($"{root}/new.txt", entry.GetProperty("path").GetString());

        await fx.Client.DeleteAsync($"{root}/new.txt");
        var deleted = await watch.WaitForLineAsync(l => l.Contains("\"deleted\"", StringComparison.Ordinal));
        Assert.Contains("new.txt", deleted);

        await watch.InterruptAsync();
        var result = await watch.WaitForExitAsync();
        Assert.True(result.ExitCode == (int)ExitCode.Interrupted, result.ToString());
        Assert.Contains("cursor: ", result.Stderr);
    }
}
