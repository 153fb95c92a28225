using System.Runtime.InteropServices;
using System.Text;
using DropboxFs.Core.FileSystem;
using DropboxFs.Fuse;
using DropboxFs.Fuse.Protocol;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Fuse;

public class FuseDispatcherDirectoryTests
{
    private static async Task<ulong> OpendirAsync(DispatcherHarness h, ulong node)
    {
        var reply = await h.CallAsync(FuseOpcode.Opendir, node, DispatcherHarness.Struct(new OpenIn()));
        Assert.Equal(0, reply.Error);
        return reply.As<OpenOut>().Fh;
    }

    private static List<(string Name, ulong Ino, ulong Off, uint Type, ulong NodeId)> Decode(ReadOnlySpan<byte> body, bool plus)
    {
        var list = new List<(string, ulong, ulong, uint, ulong)>();
        while (!body.IsEmpty)
        {
            ulong nodeId = 0;
            if (plus)
            {
                nodeId = MemoryMarshal.Read<EntryOut>(body).Nodeid;
                body = body[DispatcherHarness.SizeOf<EntryOut>()..];
            }

            var d = MemoryMarshal.Read<Dirent>(body);
            string name = Encoding.UTF8.GetString(body.Slice(DispatcherHarness.SizeOf<Dirent>(), (int)d.Namelen));
            list.Add((name, d.Ino, d.Off, d.Type, nodeId));
            body = body[FuseWire.DirentSize((int)d.Namelen)..];
        }

        return list;
    }

    [Fact]
    public async Task ReaddirListsDotEntriesThenTheSnapshotWithNextEntryCookies()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong dir = fs.AddDirectory(1, "d");
        ulong a = fs.AddFile(dir, "a.txt", [1]);
        fs.AddDirectory(dir, "sub");
        ulong fh = await OpendirAsync(h, dir);

        var reply = await h.CallAsync(FuseOpcode.Readdir, dir, DispatcherHarness.Struct(new ReadIn { Fh = fh, Size = 4096 }));
        var entries = Decode(reply.Body, plus: false);
        var end = await h.CallAsync(FuseOpcode.Readdir, dir, DispatcherHarness.Struct(new ReadIn { Fh = fh, Offset = 4, Size = 4096 }));

        Assert.Equal([".", "..", "a.txt", "sub"], entries.Select(e => e.Name));
        Assert.Equal([1ul, 2, 3, 4], entries.Select(e => e.Off));
        Assert.Equal(1000 + a, entries[2].Ino);
        Assert.Equal(KernelConstants.DtReg, entries[2].Type);
        Assert.Equal(KernelConstants.DtDir, entries[3].Type);
        Assert.Empty(end.Body.ToArray()); // an empty reply ends the listing
        Assert.Equal(0ul, fs.LookupCount(a)); // plain READDIR hands out no nodes
    }

    [Fact]
    public async Task ReaddirplusRemembersExactlyTheEntriesThatFitInTheReply()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong dir = fs.AddDirectory(1, "big");
        var ids = Enumerable.Range(0, 20).Select(i => fs.AddFile(dir, $"file{i:00}", new byte[i])).ToList();
        ulong fh = await OpendirAsync(h, dir);

        // Room for ".", "..", and 3 of the 20 files (each direntplus here is 152 + 8 bytes).
        int size = 2 * FuseWire.DirentplusSize(2) + 3 * FuseWire.DirentplusSize(6) + 100;
        var first = Decode((await h.CallAsync(FuseOpcode.Readdirplus, dir, DispatcherHarness.Struct(new ReadIn { Fh = fh, Size = (uint)size }))).Body, plus: true);

        Assert.Equal([".", "..", "file00", "file01", "file02"], first.Select(e => e.Name));
        Assert.Equal(0ul, first[0].NodeId); // no lookup reference for dot entries
        Assert.Equal([1ul, 1, 1], ids.Take(3).Select(fs.LookupCount));
        Assert.All(ids.Skip(3), id => Assert.Equal(0ul, fs.LookupCount(id)));

        ulong offset = first[^1].Off;
        var all = new List<string>(first.Skip(2).Select(e => e.Name));
        while (true)
        {
            var page = Decode((await h.CallAsync(FuseOpcode.Readdirplus, dir, DispatcherHarness.Struct(new ReadIn { Fh = fh, Offset = offset, Size = (uint)size }))).Body, plus: true);
            if (page.Count == 0)
            {
                break;
            }

            all.AddRange(page.Select(e => e.Name));
            offset = page[^1].Off;
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"file{i:00}"), all);
        Assert.All(ids, id => Assert.Equal(1ul, fs.LookupCount(id)));
    }

    [Fact]
    public async Task ReaddirOnAReleasedHandleAnswersEbadf()
    {
        var (h, _) = await DispatcherHarness.StartAsync();
        ulong fh = await OpendirAsync(h, 1);
        await h.CallAsync(FuseOpcode.Releasedir, 1, DispatcherHarness.Struct(new ReleaseIn { Fh = fh }));

        var reply = await h.CallAsync(FuseOpcode.Readdir, 1, DispatcherHarness.Struct(new ReadIn { Fh = fh, Size = 4096 }));

        Assert.Equal(-Errno.EBADF, reply.Error);
    }

    [Fact]
    public async Task MkdirUnlinkAndRmdirReachTheFacade()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        fs.AddFile(1, "f", []);

        var mkdir = await h.CallAsync(FuseOpcode.Mkdir, 1, DispatcherHarness.Struct(new MkdirIn { Mode = 0x1ED }), DispatcherHarness.Name("dir"));
        var unlink = await h.CallAsync(FuseOpcode.Unlink, 1, DispatcherHarness.Name("f"));
        var rmdir = await h.CallAsync(FuseOpcode.Rmdir, 1, DispatcherHarness.Name("dir"));
        var again = await h.CallAsync(FuseOpcode.Rmdir, 1, DispatcherHarness.Name("dir"));

        Assert.Equal(0, mkdir.Error);
        Assert.Equal(1ul, fs.LookupCount(mkdir.As<EntryOut>().Nodeid));
        Assert.Equal(0, unlink.Error);
        Assert.Equal(0, rmdir.Error);
        Assert.Equal(-Errno.ENOENT, again.Error);
        Assert.Null(fs.Find(1, "f"));
    }

    [Fact]
    public async Task RenameAndRename2DecodeBothNamesAndTheFlags()
    {
        var (h, fs) = await DispatcherHarness.StartAsync();
        ulong dir = fs.AddDirectory(1, "d");
        fs.AddFile(1, "old", []);
        fs.AddFile(dir, "taken", []);

        var plain = await h.CallAsync(FuseOpcode.Rename, 1, DispatcherHarness.Struct(new RenameIn { Newdir = dir }), DispatcherHarness.Name("old"), DispatcherHarness.Name("new"));
        var noReplace = await h.CallAsync(FuseOpcode.Rename2, dir,
            DispatcherHarness.Struct(new Rename2In { Newdir = dir, Flags = KernelConstants.RenameNoReplace }), DispatcherHarness.Name("new"), DispatcherHarness.Name("taken"));
        var whiteout = await h.CallAsync(FuseOpcode.Rename2, dir,
            DispatcherHarness.Struct(new Rename2In { Newdir = dir, Flags = KernelConstants.RenameWhiteout }), DispatcherHarness.Name("new"), DispatcherHarness.Name("x"));

        Assert.Equal(0, plain.Error);
        Assert.NotNull(fs.Find(dir, "new"));
        Assert.Contains($"Rename(1,old,{dir},new,None)", fs.Calls);
        Assert.Equal(-Errno.EEXIST, noReplace.Error);
        Assert.Contains($"Rename({dir},new,{dir},taken,NoReplace)", fs.Calls);
        Assert.Equal(-Errno.EINVAL, whiteout.Error);
    }
}
