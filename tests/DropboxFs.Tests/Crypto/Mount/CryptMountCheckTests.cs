using DropboxFs.Core.Crypto;
using DropboxFs.Core.Crypto.Mount;
using DropboxFs.Core.FileSystem;

namespace DropboxFs.Tests.Crypto.Mount;

/// <summary>Before mounting: a few names and headers decide whether the password opens the folder.</summary>
public sealed class CryptMountCheckTests
{
    [Theory]
    [InlineData("standard")]
    [InlineData("off-salted")]
    [InlineData("obfuscate-plaindirs")]
    public async Task TheRightPasswordPassesAndAWrongOneIsRefused(string folder)
    {
        var (names, keys) = FixtureFolderTests.CipherFor(folder);
        var fs = new CryptOverMemory(names.Mode, names.EncryptDirectoryNames, keys);
        fs.Seed(Path.Combine(CryptFixtures.Root, folder));

        var right = await CryptMountCheck.RunAsync(fs.Inner, keys, names, default);
        var wrongKeys = folder == "off-salted" ? CryptTestKeys.Default : CryptTestKeys.Wrong; // off-salted: the salt is missing
        var wrong = await CryptMountCheck.RunAsync(fs.Inner, wrongKeys, new NameCipher(wrongKeys, names.Mode, names.EncryptDirectoryNames), default);

        Assert.True(right.Passed, right.ToString());
        Assert.False(wrong.Passed, wrong.ToString());
        Assert.Equal(0, fs.Inner.OpenHandleCount);
    }

    [Fact]
    public async Task AnEmptyFolderPasses()
    {
        var fs = new CryptOverMemory();
        Assert.True((await CryptMountCheck.RunAsync(fs.Inner, fs.Keys, fs.Names, default)).Passed);
    }

    [Fact]
    public async Task AFolderThatIsNotEncryptedIsRefused()
    {
        var fs = new CryptOverMemory();
        fs.Inner.AddFile(IFileSystem.RootNodeId, "holiday.jpg", new byte[5000]);
        ulong docs = fs.Inner.AddDirectory(IFileSystem.RootNodeId, "Documents");
        fs.Inner.AddFile(docs, "cv.pdf", new byte[100]);

        var result = await CryptMountCheck.RunAsync(fs.Inner, fs.Keys, fs.Names, default);
        Assert.False(result.Passed);
        Assert.Equal(2, result.NamesChecked);
    }

    [Fact]
    public async Task NamesOffChecksFileContentsBelowTheRoot()
    {
        // Names "off" carry no key, and the root holds only a folder: the header below decides.
        var fs = new CryptOverMemory(NameEncryptionMode.Off);
        var folder = await fs.Crypt.MkdirAsync(IFileSystem.RootNodeId, "photos", default);
        await fs.WriteFileAsync("a.jpg", TestBytes.Random(1000, 11), parent: folder.NodeId);

        Assert.True((await CryptMountCheck.RunAsync(fs.Inner, fs.Keys, fs.Names, default)).Passed);
        var wrong = await CryptMountCheck.RunAsync(fs.Inner, CryptTestKeys.Wrong, new NameCipher(CryptTestKeys.Wrong, NameEncryptionMode.Off, true), default);
        Assert.False(wrong.Passed);
        Assert.Equal(1, wrong.FilesChecked);
    }
}
