using DropboxFs.Core.Crypto;
using DropboxFs.Core.Crypto.Mount;
using DropboxFs.Core.FileSystem;
using DropboxFs.Tests.Core;

namespace DropboxFs.Tests.Crypto.Mount;

/// <summary>The decorator over the real DropboxFileSystem and emulator: what is uploaded is rclone crypt.</summary>
public sealed class CryptOverDropboxTests
{
    private static readonly NameCipher s_names = new(CryptTestKeys.Default, NameEncryptionMode.Standard, encryptDirectoryNames: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(65535)]
    [InlineData(65537)]
    [InlineData(1_000_003)]
    public async Task WritesUploadRcloneCryptThatReadsBack(int size)
    {
        await using var m = await CoreMount.StartAsync(syncUploads: true);
        var fs = new CryptFileSystem(m.Fs, CryptTestKeys.Default, s_names);
        byte[] plain = TestBytes.Random(size, size);

        ulong node = await WriteAsync(fs, "f.bin", plain);

        Assert.Equal(plain, await ReadAsync(fs, node));
        Assert.Equal(plain, await DownloadDecryptedAsync(m, "/" + s_names.EncryptFileName("f.bin")));
    }

    [Fact]
    public async Task AppendAfterReopenMiddleWriteAndTruncateStayDecryptable()
    {
        await using var m = await CoreMount.StartAsync(syncUploads: true);
        var fs = new CryptFileSystem(m.Fs, CryptTestKeys.Default, s_names);
        ulong node = await WriteAsync(fs, "h.txt", "hello\n"u8.ToArray());

        var open = await fs.OpenAsync(node, FsOpenFlags.Write | FsOpenFlags.Append, default);
        await fs.WriteAsync(node, open.Handle, 6, "more\n"u8.ToArray(), default);
        await fs.ReleaseAsync(node, open.Handle);
        Assert.Equal("hello\nmore\n"u8.ToArray(), await ReadAsync(fs, node));

        open = await fs.OpenAsync(node, FsOpenFlags.Write, default);
        await fs.WriteAsync(node, open.Handle, 1, "EL"u8.ToArray(), default);
        await fs.ReleaseAsync(node, open.Handle);
        Assert.Equal("hELlo\nmore\n"u8.ToArray(), await ReadAsync(fs, node));

        await fs.SetAttrAsync(node, new FsSetAttr(3, null, null), default);
        Assert.Equal("hEL"u8.ToArray(), await ReadAsync(fs, node));
        Assert.Equal("hEL"u8.ToArray(), await DownloadDecryptedAsync(m, "/" + s_names.EncryptFileName("h.txt")));
    }

    private static async Task<ulong> WriteAsync(IFileSystem fs, string name, byte[] content)
    {
        var created = await fs.CreateAsync(IFileSystem.RootNodeId, name, FsOpenFlags.Write | FsOpenFlags.Create, default);
        ulong node = created.Entry.NodeId;
        for (int at = 0; at < content.Length; at += 131072)
        {
            int n = Math.Min(131072, content.Length - at);
            await fs.WriteAsync(node, created.Open.Handle, at, content.AsMemory(at, n), default);
        }

        await fs.FlushAsync(node, created.Open.Handle, default);
        await fs.ReleaseAsync(node, created.Open.Handle);
        return node;
    }

    private static async Task<byte[]> ReadAsync(IFileSystem fs, ulong node)
    {
        var open = await fs.OpenAsync(node, FsOpenFlags.Read, default);
        try
        {
            long size = (await fs.GetAttrAsync(node, default)).Size;
            byte[] all = new byte[size];
            int at = 0;
            while (at < all.Length)
            {
                int n = await fs.ReadAsync(node, open.Handle, at, all.AsMemory(at, Math.Min(131072, all.Length - at)), default);
                Assert.True(n > 0, $"short read at {at} of {size}");
                at += n;
            }

            return all;
        }
        finally
        {
            await fs.ReleaseAsync(node, open.Handle);
        }
    }

    private static async Task<byte[]> DownloadDecryptedAsync(CoreMount m, string path)
    {
        using var cipher = new MemoryStream();
        await m.Client.DownloadAsync(path, cipher);
        cipher.Position = 0;
        using var plain = new MemoryStream();
        await new DecryptingStream(cipher, CryptTestKeys.Default).CopyToAsync(plain);
        return plain.ToArray();
    }
}
