using DropboxFs.Core;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Core;

/// <summary>The facade against the real emulator: names, lazy listings, and which kernel entries each remote change invalidates.</summary>
public class FileSystemSyncTests
{
    private const ulong Root = IFileSystem.RootNodeId;

    [Fact]
    public async Task LookupIsCaseInsensitiveAndListingsShowDisplayNames()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/Photos/Summer Trip/IMG_001.JPG", "jpeg");

        var byOtherCase = await m.WalkAsync("/photos/SUMMER TRIP/img_001.jpg");
        var exact = await m.WalkAsync("/Photos/Summer Trip/IMG_001.JPG");
        var listing = await m.Fs.ReadDirAsync((await m.WalkAsync("/photos")).NodeId, CancellationToken.None);

        Assert.Equal(exact.NodeId, byOtherCase.NodeId);
        Assert.Equal(4, byOtherCase.Attributes.Size);
        Assert.Equal(["Summer Trip"], listing.Select(e => e.Name));
        var missing = await Assert.ThrowsAsync<FsException>(() => m.WalkAsync("/photos/nope"));
        Assert.Equal(FsError.NotFound, missing.Error);
    }

    [Fact]
    public async Task UnicodeNamesMatchInAnyCaseAndNormalisationForm()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/Café/Ünïcødé Straße.txt", "u");

        // Decomposed (NFD, as macOS sends names) and upper-cased: still the same entry.
        var found = await m.WalkAsync("/CAFÉ/ÜNÏCØDÉ STRAßE.TXT".Normalize(System.Text.NormalizationForm.FormD));
        var listing = await m.Fs.ReadDirAsync((await m.WalkAsync("/café")).NodeId, CancellationToken.None);

        Assert.Equal(1, found.Attributes.Size);
        Assert.Equal(["Ünïcødé Straße.txt"], listing.Select(e => e.Name));
    }

    [Fact]
    public async Task AFolderIsListedOnceOnFirstAccessAcrossSeveralPages()
    {
        await using var m = await CoreMount.StartAsync();
        var seed = Path.Combine(m.TempPath, "seed", "big");
        Directory.CreateDirectory(seed);
        for (var i = 0; i < 2300; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(seed, $"f{i:D5}.txt"), "x");
        }

        await m.Control.SeedFromDirectoryAsync(Path.Combine(m.TempPath, "seed"));
        await m.SyncAsync();
        m.Control.ResetRequestCounts();

        var big = await m.WalkAsync("/big");
        var first = await m.Fs.ReadDirAsync(big.NodeId, CancellationToken.None);
        var listCalls = m.Control.RequestCount("files/list_folder");
        var pages = m.Control.RequestCount("files/list_folder/continue");
        var second = await m.Fs.ReadDirAsync(big.NodeId, CancellationToken.None);
        await m.Fs.LookupAsync(big.NodeId, "F01234.TXT", CancellationToken.None);

        Assert.Equal(2300, first.Count);
        Assert.Equal(first.Select(e => e.Name), second.Select(e => e.Name));
        Assert.Equal(2, listCalls); // the root (for the lookup of "big"), then "big"
        Assert.True(pages >= 1, "2300 entries at 2000 per page need a continue");
        Assert.Equal(listCalls, m.Control.RequestCount("files/list_folder"));
        var bigProgress = m.Progress.Where(p => p.What == "/big").ToList();
        Assert.Contains(bigProgress, p => !p.Completed && p.Entries > 0 && p.Entries < 2300);
        Assert.Equal(new IndexProgress("/big", 2300, true), bigProgress[^1]);
        var stats = m.Fs.GetStats();
        Assert.Equal(2302, stats.MetadataEntries); // root, /big and its 2300 files
        Assert.NotNull(stats.CursorAge);
        Assert.True(stats.ApiCalls["files/list_folder"] >= 2);
    }

    [Fact]
    public async Task ANewRemoteFileInvalidatesItsNameInTheKnownFolder()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/docs/a.txt", "a");
        await m.SyncAsync();
        var docs = await m.WalkAsync("/docs");
        await m.Fs.ReadDirAsync(docs.NodeId, CancellationToken.None);
        m.Notifier.Take();

        await m.PutAsync("/docs/New File.txt", "new");
        await m.SyncAsync();

        Assert.Equal([$"entry {docs.NodeId} New File.txt"], m.Notifier.Take());
        var listing = await m.Fs.ReadDirAsync(docs.NodeId, CancellationToken.None);
        Assert.Equal(["a.txt", "New File.txt"], listing.Select(e => e.Name));
    }

    [Fact]
    public async Task ANameThatWasNotFoundIsInvalidatedInTheCasingTheKernelAskedFor()
    {
        await using var m = await CoreMount.StartAsync();
        await m.Fs.ReadDirAsync(Root, CancellationToken.None);
        await Assert.ThrowsAsync<FsException>(async () => await m.Fs.LookupAsync(Root, "README.md", CancellationToken.None));
        m.Notifier.Take();

        await m.PutAsync("/readme.md", "r");
        await m.SyncAsync();

        Assert.Equal(new[] { "entry 1 readme.md", "entry 1 README.md" }.Order(), m.Notifier.Take().Order());
    }

    [Fact]
    public async Task ARemoteDeleteInvalidatesTheEntryAndTheNameStopsResolving()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/gone.txt", "bye");
        await m.SyncAsync();
        await m.WalkAsync("/gone.txt");
        m.Notifier.Take();

        await m.Client.DeleteAsync("/gone.txt");
        await m.SyncAsync();

        Assert.Equal(["entry 1 gone.txt"], m.Notifier.Take());
        var e = await Assert.ThrowsAsync<FsException>(() => m.WalkAsync("/gone.txt"));
        Assert.Equal(FsError.NotFound, e.Error);
    }

    [Fact]
    public async Task ARemoteFileRenameKeepsTheNodeAndInvalidatesBothNames()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/a/old.txt", "content");
        await m.Client.CreateFolderAsync("/b");
        await m.SyncAsync();
        var a = await m.WalkAsync("/a");
        var b = await m.WalkAsync("/b");
        await m.Fs.ReadDirAsync(b.NodeId, CancellationToken.None);
        var file = await m.WalkAsync("/a/old.txt");
        m.Notifier.Take();

        await m.Client.MoveAsync("/a/old.txt", "/b/New.txt");
        await m.SyncAsync();

        Assert.Equal(new[] { $"entry {a.NodeId} old.txt", $"entry {b.NodeId} New.txt" }.Order(), m.Notifier.Take().Order());
        var moved = await m.WalkAsync("/b/new.txt");
        Assert.Equal(file.NodeId, moved.NodeId);
        Assert.Equal(file.Attributes.Ino, moved.Attributes.Ino);
    }

    [Fact]
    public async Task ARemoteFolderMoveCarriesItsOpenChildren()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/src/inner/deep.txt", "deep");
        await m.SyncAsync();
        var deep = await m.WalkAsync("/src/inner/deep.txt");
        m.Notifier.Take();

        await m.Client.MoveAsync("/src", "/Dest");
        await m.SyncAsync();

        Assert.Equal(new[] { "entry 1 src", "entry 1 Dest" }.Order(), m.Notifier.Take().Distinct().Order());
        Assert.Equal(deep.NodeId, (await m.WalkAsync("/dest/INNER/deep.txt")).NodeId);
        Assert.Equal("deep"u8.ToArray(), await m.ReadAllAsync(deep.NodeId));
    }

    [Fact]
    public async Task ARemoteOverwriteInvalidatesTheInodeOnly()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/f.txt", "one");
        await m.SyncAsync();
        var f = await m.WalkAsync("/f.txt");
        m.Notifier.Take();

        await m.PutAsync("/f.txt", "second version");
        await m.SyncAsync();

        Assert.Equal([$"inode {f.NodeId}"], m.Notifier.Take());
        Assert.Equal(14, (await m.Fs.GetAttrAsync(f.NodeId, CancellationToken.None)).Size);
    }

    [Fact]
    public async Task ANewRemoteFolderIsVisibleWithoutAnotherListing()
    {
        await using var m = await CoreMount.StartAsync();
        await m.Fs.ReadDirAsync(Root, CancellationToken.None);
        m.Notifier.Take();

        await m.Client.CreateFolderAsync("/Fresh");
        await m.PutAsync("/Fresh/inside.txt", "i");
        await m.SyncAsync();
        m.Control.ResetRequestCounts();

        Assert.Contains("entry 1 Fresh", m.Notifier.Take());
        var fresh = await m.WalkAsync("/fresh");
        var listing = await m.Fs.ReadDirAsync(fresh.NodeId, CancellationToken.None);
        Assert.Equal(["inside.txt"], listing.Select(e => e.Name));
        Assert.Equal(0, m.Control.RequestCount("files/list_folder"));
    }

    [Fact]
    public async Task ACursorResetTakesANewCursorAndRelistsFoldersOnAccess()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/keep.txt", "k");
        await m.SyncAsync();
        var keep = await m.WalkAsync("/keep.txt");
        m.Notifier.Take();

        m.Control.ForceLongpollReset();
        await m.PutAsync("/after-reset.txt", "r");
        m.Control.ResetRequestCounts();
        await m.SyncAsync();

        Assert.Equal(1, m.Control.RequestCount("files/list_folder/get_latest_cursor"));
        Assert.Contains($"inode {keep.NodeId}", m.Notifier.Take());
        Assert.Equal(1, m.Fs.GetStats().CursorResets);
        var names = (await m.Fs.ReadDirAsync(Root, CancellationToken.None)).Select(e => e.Name).ToList();
        Assert.Equal(["after-reset.txt", "keep.txt"], names);
        Assert.Equal(1, m.Control.RequestCount("files/list_folder"));
    }

    [Fact]
    public async Task AWarmRestartResumesFromTheStoredCursorWithoutRelisting()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/a/one.txt", "1");
        await m.PutAsync("/a/b/two.txt", "2");
        await m.SyncAsync();
        await m.WalkAsync("/a/b/two.txt");
        await m.CloseAsync();

        await m.PutAsync("/a/b/three.txt", "3");
        m.Control.ResetRequestCounts();
        await m.OpenAsync(sync: false);
        await m.Fs.StartSyncAsync(CancellationToken.None);
        await m.SyncAsync();
        var three = await m.WalkAsync("/a/b/three.txt");
        var listing = await m.Fs.ReadDirAsync((await m.WalkAsync("/a/b")).NodeId, CancellationToken.None);

        Assert.Equal(1, three.Attributes.Size);
        Assert.Equal(["three.txt", "two.txt"], listing.Select(e => e.Name));
        Assert.Equal(0, m.Control.RequestCount("files/list_folder/get_latest_cursor"));
        Assert.Equal(0, m.Control.RequestCount("files/list_folder"));
        Assert.True(m.Control.RequestCount("files/list_folder/continue") >= 1);
    }

    [Fact]
    public async Task TheBackgroundLoopDeliversARemoteChange()
    {
        await using var m = await CoreMount.StartAsync();
        await m.Fs.ReadDirAsync(Root, CancellationToken.None);
        m.Notifier.Take();
        await m.Fs.StartSyncAsync(CancellationToken.None);

        await m.PutAsync("/pushed.txt", "p");

        // Waiting for the long-poll to fire is not a speed assertion: 30 s only bounds a hang.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!m.Notifier.Events.Contains("entry 1 pushed.txt"))
        {
            await Task.Delay(20, timeout.Token);
        }

        Assert.True(m.Fs.GetStats().SyncRunning);
        Assert.Equal(1, (await m.WalkAsync("/pushed.txt")).Attributes.Size);
    }

    [Fact]
    public async Task TheBackgroundLoopRecoversFromACursorResetAndKeepsDelivering()
    {
        await using var m = await CoreMount.StartAsync();
        await m.Fs.ReadDirAsync(Root, CancellationToken.None);
        await m.Fs.StartSyncAsync(CancellationToken.None);

        m.Control.ForceLongpollReset();
        await m.PutAsync("/wake.txt", "w");
        await WaitUntilAsync(() => m.Fs.GetStats().CursorResets == 1);
        m.Notifier.Take();
        await m.PutAsync("/after.txt", "a");
        await WaitUntilAsync(() => m.Notifier.Events.Contains("entry 1 after.txt"));

        var names = (await m.Fs.ReadDirAsync(Root, CancellationToken.None)).Select(e => e.Name);
        Assert.Equal(["after.txt", "wake.txt"], names);
    }

    [Fact]
    public async Task TheBackgroundLoopLogsAFailureBacksOffAndCarriesOn()
    {
        var time = new DropboxFs.Tests.Infrastructure.RecordingTimeProvider();
        await using var m = await CoreMount.StartAsync(time: time);
        await m.Fs.ReadDirAsync(Root, CancellationToken.None);
        m.Control.AddFault(new DropboxFs.Emulator.FaultRule { Route = "files/list_folder/longpoll", Kind = DropboxFs.Emulator.FaultKind.ResetConnection, Times = 4 });
        await m.Fs.StartSyncAsync(CancellationToken.None);

        await WaitUntilAsync(() => m.Fs.GetStats().SyncErrors >= 1);
        await m.PutAsync("/later.txt", "l");
        await WaitUntilAsync(() => m.Notifier.Events.Contains("entry 1 later.txt"));

        Assert.Contains(TimeSpan.FromSeconds(1), time.Delays); // the loop's first back-off step
        Assert.True(m.Fs.GetStats().SyncRunning);
    }

    /// <summary>Waits for the background loop; 30 s only bounds a hang, it is not a speed assertion.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    [Fact]
    public async Task ARemoteRootMountsOnlyThatFolder()
    {
        await using var m = await CoreMount.StartAsync(sync: false);
        await m.PutAsync("/Outside.txt", "o");
        await m.PutAsync("/Work/Project/plan.md", "plan");
        await m.CloseAsync();
        await m.OpenAsync(remoteRoot: "/work");

        var names = (await m.Fs.ReadDirAsync(Root, CancellationToken.None)).Select(e => e.Name);
        var plan = await m.WalkAsync("/project/PLAN.md");
        await m.PutAsync("/Work/added.txt", "a");
        await m.SyncAsync();

        Assert.Equal(["Project"], names);
        Assert.Equal("plan"u8.ToArray(), await m.ReadAllAsync(plan.NodeId));
        Assert.Contains("entry 1 added.txt", m.Notifier.Take());
    }

    [Fact]
    public async Task EveryMutationOfAReadOnlyMountAnswersReadOnly()
    {
        await using var m = await CoreMount.StartAsync(readOnly: true);
        await m.PutAsync("/f.txt", "f");
        await m.SyncAsync();
        var f = await m.WalkAsync("/f.txt");
        var ct = CancellationToken.None;

        async Task AssertReadOnly(Func<Task> action) => Assert.Equal(FsError.ReadOnly, (await Assert.ThrowsAsync<FsException>(action)).Error);

        await AssertReadOnly(async () => await m.Fs.CreateAsync(Root, "new", FsOpenFlags.Write | FsOpenFlags.Create, ct));
        await AssertReadOnly(async () => await m.Fs.MkdirAsync(Root, "dir", ct));
        await AssertReadOnly(async () => await m.Fs.UnlinkAsync(Root, "f.txt", ct));
        await AssertReadOnly(async () => await m.Fs.RmdirAsync(Root, "x", ct));
        await AssertReadOnly(async () => await m.Fs.RenameAsync(Root, "f.txt", Root, "g.txt", FsRenameFlags.None, ct));
        await AssertReadOnly(async () => await m.Fs.OpenAsync(f.NodeId, FsOpenFlags.Write, ct));
        await AssertReadOnly(async () => await m.Fs.SetAttrAsync(f.NodeId, new FsSetAttr(0, null, null), ct));
        Assert.True(f.Attributes.ReadOnly);
    }

    [Fact]
    public async Task StatFsShowsTheQuotaWithoutCallingTheServer()
    {
        await using var m = await CoreMount.StartAsync();
        await m.PutAsync("/ten.bin", new byte[10]);
        m.Control.ResetRequestCounts();

        var stat = await m.Fs.StatFsAsync(CancellationToken.None);

        Assert.Equal(2L << 40, stat.TotalBytes);
        Assert.True(stat.FreeBytes <= stat.TotalBytes);
        Assert.Equal(255, stat.MaxNameLength);
        Assert.Equal(0, m.Control.RequestCount("users/get_space_usage"));
    }
}
