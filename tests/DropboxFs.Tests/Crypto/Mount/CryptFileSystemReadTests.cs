using DropboxFs.Core.Crypto;
using DropboxFs.Core.FileSystem;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Crypto.Mount;

/// <summary>The decorator over stored rclone folders: names, sizes, reads, tampering.</summary>
public sealed class CryptFileSystemReadTests
{
    public static TheoryData<string> Folders => new() { "standard", "off-salted", "obfuscate-plaindirs" };

    [Theory]
    [MemberData(nameof(Folders))]
    public async Task EveryFixtureFileListsAndReadsAsItsPlaintext(string folder)
    {
        var (names, keys) = FixtureFolderTests.CipherFor(folder);
        var fs = new CryptOverMemory(names.Mode, names.EncryptDirectoryNames, keys);
        fs.Seed(Path.Combine(CryptFixtures.Root, folder));

        var seen = new List<string>();
        await WalkAsync(fs, IFileSystem.RootNodeId, "", seen);

        var expected = CryptFixtures.PlainFiles().Where(p => folder != "standard" || !p.StartsWith("nnnn", StringComparison.Ordinal));
        Assert.Equal(expected, seen.Order(StringComparer.Ordinal));
        Assert.Equal(0, fs.Crypt.Undecryptable.Count);
    }

    [Fact]
    public async Task LookupFindsStoredNamesAndReportsPlaintextSizes()
    {
        var fs = new CryptOverMemory();
        fs.Seed(Path.Combine(CryptFixtures.Root, "standard"));

        var entry = await fs.Crypt.LookupAsync(IFileSystem.RootNodeId, "block-plus-1.bin", default);
        Assert.Equal(65537, entry.Attributes.Size);
        Assert.Equal(65537, (await fs.Crypt.GetAttrAsync(entry.NodeId, default)).Size);
        var folder = await fs.Crypt.LookupAsync(IFileSystem.RootNodeId, "Folder One", default);
        Assert.Equal(FsNodeKind.Directory, folder.Attributes.Kind);
        var missing = await Assert.ThrowsAsync<FsException>(async () => await fs.Crypt.LookupAsync(IFileSystem.RootNodeId, "absent.txt", default));
        Assert.Equal(FsError.NotFound, missing.Error);
    }

    [Fact]
    public async Task RandomOffsetReadsMatchThePlaintext()
    {
        var fs = new CryptOverMemory();
        fs.Seed(Path.Combine(CryptFixtures.Root, "standard"));
        byte[] plain = CryptFixtures.ReadPlain("multi-block.bin");
        var entry = await fs.Crypt.LookupAsync(IFileSystem.RootNodeId, "multi-block.bin", default);
        var open = await fs.Crypt.OpenAsync(entry.NodeId, FsOpenFlags.Read, default);
        var random = new Random(6);
        for (int i = 0; i < 200; i++)
        {
            int offset = random.Next(plain.Length + 10);
            byte[] buffer = new byte[random.Next(1, 3 * 65536)];
            int n = await fs.Crypt.ReadAsync(entry.NodeId, open.Handle, offset, buffer, default);
            int expected = Math.Max(0, Math.Min(buffer.Length, plain.Length - offset));
            Assert.Equal(expected, n);
            Assert.True(plain.AsSpan(Math.Min(offset, plain.Length), n).SequenceEqual(buffer.AsSpan(0, n)), $"read at {offset}+{buffer.Length}");
        }
    }

    [Fact]
    public async Task AFlippedByteFailsOnlyTheReadsThatTouchItsBlock()
    {
        var fs = new CryptOverMemory();
        byte[] plain = TestBytes.Random(3 * 65536, 1);
        ulong node = await fs.WriteFileAsync("f.bin", plain);
        byte[] stored = fs.Inner.ContentOf(node);
        stored[(int)CryptLayout.CipherOffsetOfBlock(1) + 100] ^= 1;
        fs.Inner.AddFile(IFileSystem.RootNodeId, fs.Names.EncryptFileName("g.bin"), stored);
        ulong tampered = (await fs.Crypt.LookupAsync(IFileSystem.RootNodeId, "g.bin", default)).NodeId;

        var open = await fs.Crypt.OpenAsync(tampered, FsOpenFlags.Read, default);
        byte[] buffer = new byte[65536];
        Assert.Equal(65536, await fs.Crypt.ReadAsync(tampered, open.Handle, 0, buffer, default));
        Assert.Equal(plain.AsSpan(0, 65536).ToArray(), buffer);
        var e = await Assert.ThrowsAsync<FsException>(async () => await fs.Crypt.ReadAsync(tampered, open.Handle, 65536 + 10, buffer, default));
        Assert.Equal(FsError.IoError, e.Error);
        Assert.Equal(65536, await fs.Crypt.ReadAsync(tampered, open.Handle, 2 * 65536, buffer, default));
    }

    [Theory]
    [InlineData(1)] // one byte off the last block's data
    [InlineData(110)] // the last block keeps 6 bytes: not even its tag
    [InlineData(65552 + 50)] // a whole block and part of the next one gone
    public async Task ATruncatedStoredFileGivesEioNeverShortOrWrongBytes(int cut)
    {
        var fs = new CryptOverMemory();
        byte[] plain = TestBytes.Random((2 * 65536) + 100, 2);
        ulong node = await fs.WriteFileAsync("f.bin", plain);
        byte[] stored = fs.Inner.ContentOf(node);
        fs.Inner.AddFile(IFileSystem.RootNodeId, fs.Names.EncryptFileName("cut.bin"), stored[..^cut]);
        ulong cutNode = (await fs.Crypt.LookupAsync(IFileSystem.RootNodeId, "cut.bin", default)).NodeId;

        var e = await Assert.ThrowsAsync<FsException>(async () => await fs.ReadFileAsync(cutNode));
        Assert.Equal(FsError.IoError, e.Error);
    }

    [Fact]
    public async Task AFileWhoseStoredSizeDisagreesWithItsContentGivesEio()
    {
        // The listing says one size, the content ends a block earlier: the read must not end quietly.
        var fs = new CryptOverMemory();
        ulong node = await fs.WriteFileAsync("f.bin", TestBytes.Random(2 * 65536, 3));
        var open = await fs.Crypt.OpenAsync(node, FsOpenFlags.Read, default);
        await fs.Inner.SetAttrAsync(node, new FsSetAttr(CryptLayout.CipherOffsetOfBlock(1), null, null), default);
        var e = await Assert.ThrowsAsync<FsException>(async () => await fs.Crypt.ReadAsync(node, open.Handle, 65536, new byte[65536], default));
        Assert.Equal(FsError.IoError, e.Error);
    }

    [Fact]
    public async Task NamesThatDoNotDecryptAreSkippedCountedOnceAndRemembered()
    {
        var fs = new CryptOverMemory();
        fs.Seed(Path.Combine(CryptFixtures.Root, "standard"));
        fs.Inner.AddFile(IFileSystem.RootNodeId, "2hg60qedesor3egoruk7j32r54 (conflicted copy).txt", [1, 2, 3]);
        fs.Inner.AddFile(IFileSystem.RootNodeId, "notes.txt", new byte[100]);

        var first = await fs.Crypt.ReadDirAsync(IFileSystem.RootNodeId, default);
        var second = await fs.Crypt.ReadDirAsync(IFileSystem.RootNodeId, default);

        Assert.DoesNotContain(first, e => e.Name.Contains("conflicted", StringComparison.Ordinal) || e.Name == "notes.txt");
        Assert.Equal(first.Select(e => e.Name), second.Select(e => e.Name));
        Assert.Equal(2, fs.Crypt.Undecryptable.Count);
        Assert.Contains("notes.txt", fs.Crypt.Undecryptable.Recent);
    }

    [Fact]
    public async Task AFileWithoutTheHeaderRefusesToOpenWithEio()
    {
        var fs = new CryptOverMemory(NameEncryptionMode.Off);
        fs.Inner.AddFile(IFileSystem.RootNodeId, "plain.txt.bin", new byte[200]);
        var entry = await fs.Crypt.LookupAsync(IFileSystem.RootNodeId, "plain.txt", default);
        var e = await Assert.ThrowsAsync<FsException>(async () => await fs.Crypt.OpenAsync(entry.NodeId, FsOpenFlags.Read, default));
        Assert.Equal(FsError.IoError, e.Error);
        Assert.Equal(0, fs.Inner.OpenHandleCount);
    }

    [Fact]
    public async Task AnOpenAfterARemoteChangeReadsTheNewVersionWhileAnOlderHandleIsOpen()
    {
        var fs = new CryptOverMemory();
        ulong node = await fs.WriteFileAsync("f.bin", TestBytes.Random(70000, 12));
        var older = await fs.Crypt.OpenAsync(node, FsOpenFlags.Read, default);

        // Another device replaces the file: new nonce, new size.
        byte[] newer = TestBytes.Random(1000, 13);
        using (var encrypted = new EncryptingStream(new MemoryStream(newer), fs.Keys))
        using (var stored = new MemoryStream())
        {
            encrypted.CopyTo(stored);
            var open = await fs.Inner.OpenAsync(node, FsOpenFlags.Write | FsOpenFlags.Truncate, default);
            await fs.Inner.WriteAsync(node, open.Handle, 0, stored.ToArray(), default);
            await fs.Inner.ReleaseAsync(node, open.Handle);
        }

        Assert.Equal(newer, await fs.ReadFileAsync(node));
        await fs.Crypt.ReleaseAsync(node, older.Handle);
    }

    [Fact]
    public async Task KernelInvalidationsArriveWithPlaintextNamesAndUndecryptableOnesAreDropped()
    {
        var fs = new CryptOverMemory();
        var kernel = new RecordingKernelNotifier();
        var notifier = fs.Crypt.WrapNotifier(kernel);

        notifier.InvalidateEntry(7, "2hg60qedesor3egoruk7j32r54");
        notifier.InvalidateEntry(7, "2hg60qedesor3egoruk7j32r54 (conflicted copy)");
        notifier.InvalidateInode(9, 65552, 100);

        Assert.Equal([(7UL, "hello.txt")], kernel.InvalidatedEntries);
        Assert.Equal([new KernelNotification(9, null, 0, -1)], kernel.Calls.Where(c => c.Name is null));
    }

    private static async Task WalkAsync(CryptOverMemory fs, ulong folder, string prefix, List<string> seen)
    {
        foreach (var e in await fs.Crypt.ReadDirAsync(folder, default))
        {
            string path = prefix + e.Name;
            if (e.Entry.Attributes.Kind == FsNodeKind.Directory)
            {
                await WalkAsync(fs, e.Entry.NodeId, path + "/", seen);
                continue;
            }

            byte[] expected = CryptFixtures.ReadPlain(path);
            Assert.Equal(expected.LongLength, e.Entry.Attributes.Size);
            var looked = await fs.Crypt.LookupAsync(folder, e.Name, default);
            Assert.Equal(e.Entry.NodeId, looked.NodeId);
            Assert.Equal(expected, await fs.ReadFileAsync(e.Entry.NodeId, chunk: 4096 * 3));
            seen.Add(path);
        }
    }
}
