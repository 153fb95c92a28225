using System.Text;
using DropboxFs.Api;
using DropboxFs.Core;
using DropboxFs.Core.FileSystem;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Core;

/// <summary>
/// The change feed's echo of changes this mount made itself, arriving at the worst moment: between the API
/// answer and the local apply (forced by running the feed inside the HTTP call), or between the steps of git's
/// write-to-lock-then-rename. The kernel must hear nothing about our own changes, and nothing may vanish.
/// </summary>
public sealed class FileSystemEchoTests
{
    private const ulong Root = IFileSystem.RootNodeId;
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task OurOwnMkdirsFeedEchoArrivingBeforeTheLocalApplyInvalidatesNothingAndKeepsTheNodeId()
    {
        await using var m = await CoreMount.StartAsync();
        await m.Client.CreateFolderAsync("/Writes");
        var hook = new AfterRouteHandler("files/create_folder_v2");
        await using var fs = await OpenWithHandlerAsync(m, hook);
        var notifier = new RecordingKernelNotifier();
        fs.AttachNotifier(notifier);
        await fs.SyncNowAsync(None);
        var writes = await fs.LookupAsync(Root, "Writes", None); // the kernel knows the parent (the shell's cwd)
        var echoed = 0;
        hook.After = async () => echoed += await fs.SyncNowAsync(None); // the feed page lands before MkdirAsync's apply

        var made = await fs.MkdirAsync(writes.NodeId, "repo", None);
        var echoedAfter = await fs.SyncNowAsync(None);

        Assert.True(echoed > 0, "the feed page with the new folder was applied while create_folder_v2 was answering");
        Assert.Equal(0, echoedAfter);
        Assert.Empty(notifier.Calls); // an inval_entry here unhashes the dentry `cd repo` just entered: getcwd → ENOENT
        Assert.Equal(made.NodeId, (await fs.LookupAsync(writes.NodeId, "repo", None)).NodeId);
        var child = await fs.MkdirAsync(made.NodeId, ".git", None); // the folder still works as a parent
        Assert.Equal(FsNodeKind.Directory, child.Attributes.Kind);
    }

    [Fact]
    public async Task GitsLockThenRenameOverWithTheFeedCatchingUpInBetweenKeepsTheNewestContentReadable()
    {
        await using var m = await CoreMount.StartAsync();
        var dir = await m.Fs.MkdirAsync(Root, "repo", None);
        await m.SyncAsync();
        foreach (var (version, text) in new[] { (1, "[core]\n"), (2, "[core]\n\tbare = false\n"), (3, "[core]\n\tbare = false\n\tfilemode = true\n") })
        {
            // git: create config.lock, write, close (RELEASE is asynchronous: it may come after the rename), rename over config.
            var created = await m.Fs.CreateAsync(dir.NodeId, "config.lock", FsOpenFlags.Write | FsOpenFlags.Create, None);
            await m.WriteAllAsync(created.Entry.NodeId, created.Open.Handle, Encoding.UTF8.GetBytes(text));
            await m.SyncAsync();
            var rename = m.Fs.RenameAsync(dir.NodeId, "config.lock", dir.NodeId, "config", FsRenameFlags.None, None).AsTask();
            var release = m.Fs.ReleaseAsync(created.Entry.NodeId, created.Open.Handle).AsTask();
            await Task.WhenAll(rename, release);
            await m.SyncAsync();

            var config = await m.Fs.LookupAsync(dir.NodeId, "config", None);
            Assert.Equal(created.Entry.NodeId, config.NodeId);
            Assert.Equal(text, Encoding.UTF8.GetString(await m.ReadAllAsync(config.NodeId)));
            if (version == 2)
            {
                await m.DrainAsync(); // one generation committed in between: the next rename replaces a server file
                await m.SyncAsync();
            }
        }

        await m.DrainAsync();
        await m.SyncAsync();
        var final = await m.Fs.LookupAsync(dir.NodeId, "config", None);
        Assert.Equal("[core]\n\tbare = false\n\tfilemode = true\n", Encoding.UTF8.GetString(await m.ReadAllAsync(final.NodeId)));
        Assert.Equal("[core]\n\tbare = false\n\tfilemode = true\n", Encoding.UTF8.GetString(await m.DownloadAsync("/repo/config")));
        Assert.Null(await m.RemoteFileAsync("/repo/config.lock"));
        await Assert.ThrowsAsync<FsException>(async () => await m.Fs.LookupAsync(dir.NodeId, "config.lock", None));
    }

    private static async Task<DropboxFileSystem> OpenWithHandlerAsync(CoreMount m, HttpMessageHandler handler)
    {
        var client = new DropboxClient(new DropboxClientOptions
        {
            Endpoint = m.Server.BaseUri,
            Tokens = new StaticTokenSource(m.Server.StaticToken),
            MaxRetries = 1,
            HttpMessageHandler = handler,
        });
        return await DropboxFileSystem.OpenAsync(client, new DropboxFileSystemOptions
        {
            CacheDirectory = Path.Combine(m.TempPath, "cache-hooked"),
            StateDirectory = Path.Combine(m.TempPath, "state-hooked"),
        }, None);
    }

    /// <summary>Runs <see cref="After"/> once, after the server answered <c>route</c> and before the caller sees the answer.</summary>
    private sealed class AfterRouteHandler(string route) : DelegatingHandler(new SocketsHttpHandler())
    {
        public Func<Task>? After { get; set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri?.AbsolutePath.EndsWith("/" + route, StringComparison.Ordinal) == true && After is { } after)
            {
                After = null;
                await after();
            }

            return response;
        }
    }
}
