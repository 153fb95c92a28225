using DropboxFs.Core.Crypto;

namespace DropboxFs.Tests.Crypto;

public sealed class NameCipherPathTests
{
    [Fact]
    public void PathsEncryptSegmentBySegmentWithTheLastAsFileOrDirectory()
    {
        var standard = new NameCipher(CryptTestKeys.Default, NameEncryptionMode.Standard, encryptDirectoryNames: true);
        const string stored = "/72cmomrgdmvsmb08m234id9pk0/losmo3jigubnnsjcm7icri18dk/b7tr87q48ao53cmv9jrv1252g0";
        Assert.Equal(stored, standard.EncryptPath("/Folder One/Sub dir/notes.md", isDirectory: false));
        Assert.True(standard.TryDecryptPath(stored, isDirectory: false, out string plain));
        Assert.Equal("/Folder One/Sub dir/notes.md", plain);
        Assert.Equal("72cmomrgdmvsmb08m234id9pk0/", standard.EncryptPath("Folder One/", isDirectory: true));
        Assert.False(standard.TryDecryptPath("/72cmomrgdmvsmb08m234id9pk0/notes.md", isDirectory: false, out _));

        var off = new NameCipher(CryptTestKeys.Salted, NameEncryptionMode.Off, encryptDirectoryNames: true);
        Assert.Equal("Folder One/Sub dir/notes.md.bin", off.EncryptPath("Folder One/Sub dir/notes.md", isDirectory: false));
        Assert.Equal("Folder One/Sub dir", off.EncryptPath("Folder One/Sub dir", isDirectory: true));
        Assert.Throws<CryptNameTooLongException>(() => standard.EncryptPath("/a/" + new string('n', 144), isDirectory: false));
    }
}
