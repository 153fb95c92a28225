using DropboxFs.Core.Crypto;
using DropboxFs.Core.Crypto.Mount;
using DropboxFs.Core.FileSystem;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Crypto.Mount;

/// <summary>A CryptFileSystem over a MemoryFileSystem, with helpers to write and read whole files through it.</summary>
internal sealed class CryptOverMemory
{
    public CryptOverMemory(NameEncryptionMode mode = NameEncryptionMode.Standard, bool encryptDirectoryNames = true, CryptKeys? keys = null)
    {
        Keys = keys ?? CryptTestKeys.Default;
        Names = new NameCipher(Keys, mode, encryptDirectoryNames);
        Crypt = new CryptFileSystem(Inner, Keys, Names);
    }

    public MemoryFileSystem Inner { get; } = new();

    public CryptKeys Keys { get; }

    public NameCipher Names { get; }

    public CryptFileSystem Crypt { get; }

    /// <summary>Loads a folder of stored (encrypted) files into the inner filesystem as they are.</summary>
    public void Seed(string directory) => Seed(directory, IFileSystem.RootNodeId);

    /// <summary>Creates a file through the decorator, writing it in <paramref name="chunk"/>-byte sequential writes.</summary>
    public async Task<ulong> WriteFileAsync(string name, byte[] content, int chunk = 4096, ulong parent = IFileSystem.RootNodeId)
    {
        var created = await Crypt.CreateAsync(parent, name, FsOpenFlags.Write | FsOpenFlags.Create, default);
        ulong node = created.Entry.NodeId;
        for (int at = 0; at < content.Length; at += chunk)
        {
            int n = Math.Min(chunk, content.Length - at);
            Assert.Equal(n, await Crypt.WriteAsync(node, created.Open.Handle, at, content.AsMemory(at, n), default));
        }

        await Crypt.FlushAsync(node, created.Open.Handle, default);
        await Crypt.ReleaseAsync(node, created.Open.Handle);
        return node;
    }

    /// <summary>Reads a whole file through the decorator in <paramref name="chunk"/>-byte reads.</summary>
    public async Task<byte[]> ReadFileAsync(ulong node, int chunk = 128 * 1024)
    {
        var open = await Crypt.OpenAsync(node, FsOpenFlags.Read, default);
        try
        {
            using var all = new MemoryStream();
            byte[] buffer = new byte[chunk];
            for (long at = 0; ; at += chunk)
            {
                int n = await Crypt.ReadAsync(node, open.Handle, at, buffer, default);
                all.Write(buffer, 0, n);
                if (n < chunk)
                {
                    return all.ToArray();
                }
            }
        }
        finally
        {
            await Crypt.ReleaseAsync(node, open.Handle);
        }
    }

    /// <summary>The stored bytes, decrypted independently of the decorator (as rclone would).</summary>
    public byte[] DecryptStored(ulong node)
    {
        using var decrypting = new DecryptingStream(new MemoryStream(Inner.ContentOf(node)), Keys);
        using var plain = new MemoryStream();
        decrypting.CopyTo(plain);
        return plain.ToArray();
    }

    private void Seed(string directory, ulong parent)
    {
        foreach (string file in Directory.EnumerateFiles(directory))
        {
            Inner.AddFile(parent, Path.GetFileName(file), File.ReadAllBytes(file));
        }

        foreach (string sub in Directory.EnumerateDirectories(directory))
        {
            Seed(sub, Inner.AddDirectory(parent, Path.GetFileName(sub)));
        }
    }
}

internal static class TestBytes
{
    public static byte[] Random(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
