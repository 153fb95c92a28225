using DropboxFs.Core.Crypto;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Crypto.Mount;

/// <summary>Writes through the decorator: what is stored is rclone crypt, and reads back the same.</summary>
public sealed class CryptFileSystemWriteTests
{
    public static TheoryData<int, int> Sizes => new()
    {
        { 0, 4096 }, { 1, 4096 }, { 65535, 4096 }, { 65536, 4096 }, { 65537, 4096 },
        { 65537, 131072 }, { 200000, 1000 }, { (5 * 65536) + 7, 131072 }, { 1_000_003, 65536 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task SequentialWritesStoreRcloneCryptThatReadsBackExactly(int size, int chunk)
    {
        var fs = new CryptOverMemory();
        byte[] plain = TestBytes.Random(size, size);

        ulong node = await fs.WriteFileAsync("file.bin", plain, chunk);

        Assert.Equal(CryptLayout.EncryptedSize(size), fs.Inner.ContentOf(node).LongLength);
        Assert.Equal(plain, fs.DecryptStored(node));
        Assert.Equal(plain, await fs.ReadFileAsync(node));
        Assert.Equal(size, (await fs.Crypt.GetAttrAsync(node, default)).Size);
        Assert.NotNull(fs.Inner.Find(IFileSystem.RootNodeId, fs.Names.EncryptFileName("file.bin")));
    }

    [Fact]
    public async Task StoredNamesMatchTheFixtureByteForByte()
    {
        var fs = new CryptOverMemory();
        var folder = await fs.Crypt.MkdirAsync(IFileSystem.RootNodeId, "Folder One", default);
        await fs.WriteFileAsync("hello.txt", "hello, world\n"u8.ToArray());
        await fs.WriteFileAsync("nested.txt", [1], parent: folder.NodeId);

        string standard = Path.Combine(CryptFixtures.Root, "standard");
        Assert.NotNull(fs.Inner.Find(IFileSystem.RootNodeId, "2hg60qedesor3egoruk7j32r54"));
        string storedFolder = fs.Names.EncryptDirectoryName("Folder One");
        Assert.True(Directory.Exists(Path.Combine(standard, storedFolder)));
        Assert.NotNull(fs.Inner.Find(IFileSystem.RootNodeId, storedFolder));
    }

    [Fact]
    public async Task ANewFileIsAValidEmptyEncryptedFileAtOnce()
    {
        var fs = new CryptOverMemory();
        var created = await fs.Crypt.CreateAsync(IFileSystem.RootNodeId, "new.txt", FsOpenFlags.Write | FsOpenFlags.Create, default);
        Assert.Equal(CryptLayout.HeaderSize, fs.Inner.ContentOf(created.Entry.NodeId).Length);
        Assert.Equal(0, created.Entry.Attributes.Size);
        await fs.Crypt.ReleaseAsync(created.Entry.NodeId, created.Open.Handle);
    }

    [Fact]
    public async Task SizeIncludesTheUnsealedTailWhileTheFileIsOpen()
    {
        var fs = new CryptOverMemory();
        var created = await fs.Crypt.CreateAsync(IFileSystem.RootNodeId, "t.bin", FsOpenFlags.Write, default);
        ulong node = created.Entry.NodeId;
        await fs.Crypt.WriteAsync(node, created.Open.Handle, 0, new byte[70000], default);

        Assert.Equal(70000, (await fs.Crypt.GetAttrAsync(node, default)).Size);
        Assert.Equal(70000, (await fs.Crypt.ReadDirAsync(IFileSystem.RootNodeId, default)).Single().Entry.Attributes.Size);
        // One sealed block is stored; the other 4464 bytes are still in memory.
        Assert.Equal(CryptLayout.CipherOffsetOfBlock(1), fs.Inner.ContentOf(node).Length);
        await fs.Crypt.ReleaseAsync(node, created.Open.Handle);
        Assert.Equal(CryptLayout.EncryptedSize(70000), fs.Inner.ContentOf(node).Length);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(65530, 20)] // across a block boundary
    [InlineData(150000, 100)] // inside the short last block
    [InlineData(199990, 50)] // over the end: the file grows
    [InlineData(300000, 10)] // past the end: a hole of zeros
    public async Task AWriteIntoTheMiddleReencryptsUnderAFreshNonce(int offset, int length)
    {
        var fs = new CryptOverMemory();
        byte[] plain = TestBytes.Random(200000, 4);
        ulong node = await fs.WriteFileAsync("f.bin", plain);
        byte[] oldHeader = fs.Inner.ContentOf(node)[..CryptLayout.HeaderSize];

        byte[] patch = TestBytes.Random(length, 5);
        var open = await fs.Crypt.OpenAsync(node, FsOpenFlags.Write, default);
        await fs.Crypt.WriteAsync(node, open.Handle, offset, patch, default);
        await fs.Crypt.ReleaseAsync(node, open.Handle);

        byte[] expected = new byte[Math.Max(plain.Length, offset + length)];
        plain.CopyTo(expected, 0);
        patch.CopyTo(expected, offset);
        Assert.Equal(expected, fs.DecryptStored(node));
        Assert.Equal(expected, await fs.ReadFileAsync(node));
        Assert.False(oldHeader.AsSpan().SequenceEqual(fs.Inner.ContentOf(node).AsSpan(0, CryptLayout.HeaderSize)));
    }

    [Fact]
    public async Task AppendingToABlockAlignedFileKeepsTheNonceAndSealsOnlyNewBlocks()
    {
        var fs = new CryptOverMemory();
        byte[] plain = TestBytes.Random(2 * 65536, 7);
        ulong node = await fs.WriteFileAsync("f.bin", plain);
        byte[] before = fs.Inner.ContentOf(node);

        var open = await fs.Crypt.OpenAsync(node, FsOpenFlags.Write | FsOpenFlags.Append, default);
        byte[] more = TestBytes.Random(1000, 8);
        await fs.Crypt.WriteAsync(node, open.Handle, plain.Length, more, default);
        await fs.Crypt.ReleaseAsync(node, open.Handle);

        byte[] after = fs.Inner.ContentOf(node);
        Assert.True(before.AsSpan().SequenceEqual(after.AsSpan(0, before.Length)), "the sealed blocks were not touched");
        Assert.Equal([.. plain, .. more], fs.DecryptStored(node));
    }

    [Fact]
    public async Task AppendingAfterAFlushedShortBlockNeverSealsTwoPlaintextsUnderOneBlockNonce()
    {
        var fs = new CryptOverMemory();
        var created = await fs.Crypt.CreateAsync(IFileSystem.RootNodeId, "log.txt", FsOpenFlags.Write, default);
        ulong node = created.Entry.NodeId;
        await fs.Crypt.WriteAsync(node, created.Open.Handle, 0, "line 1\n"u8.ToArray(), default);
        await fs.Crypt.FsyncAsync(node, created.Open.Handle, default);
        byte[] first = fs.Inner.ContentOf(node);
        await fs.Crypt.WriteAsync(node, created.Open.Handle, 7, "line 2\n"u8.ToArray(), default);
        await fs.Crypt.ReleaseAsync(node, created.Open.Handle);
        byte[] second = fs.Inner.ContentOf(node);

        Assert.False(first.AsSpan(CryptLayout.MagicSize, CryptLayout.NonceSize).SequenceEqual(second.AsSpan(CryptLayout.MagicSize, CryptLayout.NonceSize)));
        Assert.Equal("line 1\nline 2\n"u8.ToArray(), fs.DecryptStored(node));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65536)]
    [InlineData(100000)]
    [InlineData(300000)]
    public async Task TruncateShrinksOrGrowsWithZeros(int size)
    {
        var fs = new CryptOverMemory();
        byte[] plain = TestBytes.Random(200000, 9);
        ulong node = await fs.WriteFileAsync("f.bin", plain);

        var attributes = await fs.Crypt.SetAttrAsync(node, new FsSetAttr(size, null, null), default);

        byte[] expected = new byte[size];
        plain.AsSpan(0, Math.Min(size, plain.Length)).CopyTo(expected);
        Assert.Equal(size, attributes.Size);
        Assert.Equal(expected, fs.DecryptStored(node));
        Assert.Equal(size, (await fs.Crypt.GetAttrAsync(node, default)).Size);
        Assert.Equal(0, fs.Inner.OpenHandleCount);
    }

    [Fact]
    public async Task OpenWithTruncateStartsAFreshFile()
    {
        var fs = new CryptOverMemory();
        ulong node = await fs.WriteFileAsync("f.bin", TestBytes.Random(100000, 10));
        var open = await fs.Crypt.OpenAsync(node, FsOpenFlags.Write | FsOpenFlags.Truncate, default);
        await fs.Crypt.WriteAsync(node, open.Handle, 0, "abc"u8.ToArray(), default);
        await fs.Crypt.ReleaseAsync(node, open.Handle);
        Assert.Equal("abc"u8.ToArray(), fs.DecryptStored(node));
    }

    [Fact]
    public async Task ANameOneCharacterOverTheLimitIsNameTooLong()
    {
        var fs = new CryptOverMemory();
        string longest = new('n', 143);
        await fs.WriteFileAsync(longest, [1]);

        var e = await Assert.ThrowsAsync<FsException>(async () => await fs.Crypt.CreateAsync(IFileSystem.RootNodeId, longest + "n", FsOpenFlags.Write, default));
        Assert.Equal(FsError.NameTooLong, e.Error);
        var mkdir = await Assert.ThrowsAsync<FsException>(async () => await fs.Crypt.MkdirAsync(IFileSystem.RootNodeId, longest + "n", default));
        Assert.Equal(FsError.NameTooLong, mkdir.Error);
        Assert.Equal(143, (await fs.Crypt.StatFsAsync(default)).MaxNameLength);
    }

    [Fact]
    public async Task RenameUnlinkAndRmdirUseStoredNames()
    {
        var fs = new CryptOverMemory(NameEncryptionMode.Off);
        var dir = await fs.Crypt.MkdirAsync(IFileSystem.RootNodeId, "d", default);
        await fs.WriteFileAsync("a", [1, 2]);
        Assert.NotNull(fs.Inner.Find(IFileSystem.RootNodeId, "a.bin"));
        Assert.NotNull(fs.Inner.Find(IFileSystem.RootNodeId, "d"));

        await fs.Crypt.RenameAsync(IFileSystem.RootNodeId, "a", dir.NodeId, "b", FsRenameFlags.None, default);
        Assert.NotNull(fs.Inner.Find(dir.NodeId, "b.bin"));
        await fs.Crypt.RenameAsync(IFileSystem.RootNodeId, "d", IFileSystem.RootNodeId, "e", FsRenameFlags.None, default);
        Assert.NotNull(fs.Inner.Find(IFileSystem.RootNodeId, "e"));

        await fs.Crypt.UnlinkAsync(dir.NodeId, "b", default);
        await fs.Crypt.RmdirAsync(IFileSystem.RootNodeId, "e", default);
        Assert.Empty(await fs.Crypt.ReadDirAsync(IFileSystem.RootNodeId, default));
    }
}
