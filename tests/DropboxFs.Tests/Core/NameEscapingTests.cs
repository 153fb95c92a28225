using DropboxFs.Core.FileSystem;
using DropboxFs.Core.Names;

namespace DropboxFs.Tests.Core;

/// <summary>The escaping of names Dropbox refuses: the rule, its bijection, and the facade edges.</summary>
public sealed class NameEscapingTests
{
    private const ulong Root = IFileSystem.RootNodeId;
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData("~$report.docx", "\uFF5E$report.docx")]
    [InlineData(".~lock.report.odt#", ".\uFF5Elock.report.odt#")]
    [InlineData("desktop.ini", "\uFF44esktop.ini")]
    [InlineData("Thumbs.db", "\uFF34humbs.db")]
    [InlineData(".DS_Store", "\uFF0EDS_Store")]
    [InlineData("notes. ", "notes.\u2420")]
    [InlineData("version 2.", "version 2\uFF0E")]
    [InlineData("~$x.", "\uFF5E$x\uFF0E")]
    [InlineData("plain name.txt", "plain name.txt")]
    [InlineData("日本語ファイル", "日本語ファイル")]
    public void RefusedNamesAreEscapedAndComeBack(string local, string remote)
    {
        Assert.Equal(remote, NameEscaping.ToRemote(local));
        Assert.Equal(local, NameEscaping.ToLocal(remote));
    }

    [Theory]
    [InlineData("\uFF5E$x.docx")] // looks escaped: a real name with a fullwidth tilde
    [InlineData("~$x.docx")] // a raw lock file made by another Dropbox client
    [InlineData("file\u2420")]
    [InlineData("file.")]
    [InlineData("\u201B~$x")]
    [InlineData("\u201B\u201B")]
    [InlineData("\uFF0E")]
    public void NamesFromTheServerRoundTripWhateverTheyLookLike(string remote)
    {
        var local = NameEscaping.ToLocal(remote);
        Assert.Equal(remote, NameEscaping.ToRemote(local));
    }

    [Fact]
    public void TheRuleIsABijectionOverNamesMadeOfTheCharactersItTreats()
    {
        // Every string of up to 5 characters over the alphabet the rule looks at (8^5 + … ≈ 37k names).
        char[] alphabet = ['~', '$', '.', ' ', 'a', '\u201B', '\uFF5E', '\uFF0E'];
        var names = new List<string> { "" };
        for (var length = 0; length < 5; length++)
        {
            names.AddRange(names.Where(n => n.Length == length).SelectMany(n => alphabet.Select(c => n + c)).ToList());
        }

        var remotes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var local in names.Where(n => n.Length > 0 && n is not "." and not ".."))
        {
            string remote;
            try
            {
                remote = NameEscaping.ToRemote(local);
            }
            catch (FsException e) when (e.Error == FsError.InvalidName)
            {
                continue; // a name that would end in whitespace on the server ("x ‛" → "x ")
            }

            Assert.Equal(local, NameEscaping.ToLocal(remote));
            Assert.True(remotes.TryAdd(remote, local), $"'{local}' and '{remotes.GetValueOrDefault(remote)}' both map to '{remote}'");
        }

        foreach (var remote in names.Where(n => n.Length > 0 && !char.IsWhiteSpace(n[^1])))
        {
            var local = NameEscaping.ToLocal(remote);
            if (local is "." or "..")
            {
                continue;
            }

            Assert.Equal(remote, NameEscaping.ToRemote(local));
        }
    }

    [Theory]
    [InlineData("tab\tname")]
    [InlineData("back\\slash")]
    [InlineData("emoji \U0001F600")]
    public void NamesDropboxCannotStoreAtAllAreInvalid(string local)
    {
        Assert.Equal(FsError.InvalidName, Assert.Throws<FsException>(() => NameEscaping.ToRemote(local)).Error);
    }

    [Fact]
    public async Task AnOfficeLockFileIsStoredEscapedAndListedUnderItsLocalName()
    {
        await using var m = await CoreMount.StartAsync();

        var entry = await m.CreateFileAsync(Root, "~$budget.xlsx", "lock"u8.ToArray());
        await m.CreateFileAsync(Root, "desktop.ini", "[.ShellClassInfo]"u8.ToArray());
        await m.DrainAsync();

        Assert.Equal(["\uFF44esktop.ini", "\uFF5E$budget.xlsx"], await m.RemoteNamesAsync(""));
        Assert.Equal(["desktop.ini", "~$budget.xlsx"], (await m.Fs.ReadDirAsync(Root, None)).Select(e => e.Name).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(entry.NodeId, (await m.Fs.LookupAsync(Root, "~$budget.xlsx", None)).NodeId);
        await m.Fs.RenameAsync(Root, "~$budget.xlsx", Root, "budget.xlsx.", FsRenameFlags.None, None);
        await m.Fs.UnlinkAsync(Root, "desktop.ini", None);
        Assert.Equal(["budget.xlsx\uFF0E"], await m.RemoteNamesAsync(""));
    }

    [Fact]
    public async Task ANameTooLongForDropboxAnswersNameTooLong()
    {
        await using var m = await CoreMount.StartAsync();
        var name = "\uFF5E$" + new string('a', 253); // 255 here, 256 on Dropbox (the escaped-looking name gets a quote)

        var error = await Assert.ThrowsAsync<FsException>(async () => await m.Fs.CreateAsync(Root, name, FsOpenFlags.Write | FsOpenFlags.Create, None));

        Assert.Equal(FsError.NameTooLong, error.Error);
        Assert.Equal(FsError.NameTooLong, (await Assert.ThrowsAsync<FsException>(async () => await m.Fs.MkdirAsync(Root, new string('d', 256), None))).Error);
        Assert.Empty(await m.RemoteNamesAsync(""));
    }
}
