using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Crypto.Mount;

/// <summary>
/// Before a mount serves anything: does this password open this folder? Looks at up to 5 stored
/// names in the root (and, breadth first, a few folders below) and the first block of up to 2
/// files. Any name or block that decrypts is proof; if something was checked and nothing
/// decrypted, the password, the salt or the name settings are wrong (or the folder is not
/// encrypted). An empty folder, or one with nothing to check, passes.
/// </summary>
public static class CryptMountCheck
{
    private const int MaxNames = 5;
    private const int MaxHeaders = 2;
    private const int MaxFolders = 3;

    /// <summary>The verdict, with what was looked at (for the message).</summary>
    public readonly record struct Result(int NamesChecked, int NamesDecrypted, int FilesChecked, int FilesDecrypted)
    {
        public bool Passed => NamesDecrypted + FilesDecrypted > 0 || NamesChecked + FilesChecked == 0;
    }

    public static async Task<Result> RunAsync(IFileSystem inner, CryptKeys keys, NameCipher names, CancellationToken ct)
    {
        int namesChecked = 0, namesOk = 0, filesChecked = 0, filesOk = 0;
        var folders = new Queue<ulong>([IFileSystem.RootNodeId]);
        for (int visited = 0; visited < MaxFolders && folders.Count > 0 && (namesChecked < MaxNames || filesChecked < MaxHeaders); visited++)
        {
            foreach (var e in await inner.ReadDirAsync(folders.Dequeue(), ct).ConfigureAwait(false))
            {
                var kind = e.Entry.Attributes.Kind;
                bool decrypts = kind == FsNodeKind.Directory
                    ? names.TryDecryptDirectoryName(e.Name, out _)
                    : names.TryDecryptFileName(e.Name, out _);
                // Unencrypted directory names and "off" names carry no key: they prove nothing either way.
                bool keyed = names.Mode != NameEncryptionMode.Off && (kind == FsNodeKind.File || names.EncryptDirectoryNames);
                if (keyed && namesChecked < MaxNames)
                {
                    namesChecked++;
                    namesOk += decrypts ? 1 : 0;
                }

                if (kind == FsNodeKind.Directory && decrypts)
                {
                    folders.Enqueue(e.Entry.NodeId);
                }
                else if (kind == FsNodeKind.File && filesChecked < MaxHeaders && e.Entry.Attributes.Size > CryptLayout.HeaderSize + CryptLayout.BlockOverhead
                    && (decrypts || names.Mode == NameEncryptionMode.Off))
                {
                    filesChecked++;
                    filesOk += await FirstBlockDecryptsAsync(inner, keys, e.Entry, ct).ConfigureAwait(false) ? 1 : 0;
                }
            }
        }

        return new Result(namesChecked, namesOk, filesChecked, filesOk);
    }

    private static async Task<bool> FirstBlockDecryptsAsync(IFileSystem inner, CryptKeys keys, FsEntry file, CancellationToken ct)
    {
        long length = Math.Min(file.Attributes.Size, CryptLayout.HeaderSize + CryptLayout.BlockSize);
        byte[] cipher = new byte[length];
        // Nodes from a listing are the adapter's to keep; hold one reference while reading.
        inner.Remember(file.NodeId);
        try
        {
            return await FirstBlockDecryptsAsync(inner, keys, file.NodeId, cipher, ct).ConfigureAwait(false);
        }
        finally
        {
            inner.Forget(file.NodeId, 1);
        }
    }

    private static async Task<bool> FirstBlockDecryptsAsync(IFileSystem inner, CryptKeys keys, ulong node, byte[] cipher, CancellationToken ct)
    {
        var open = await inner.OpenAsync(node, FsOpenFlags.Read, ct).ConfigureAwait(false);
        try
        {
            int total = 0;
            while (total < cipher.Length)
            {
                int n = await inner.ReadAsync(node, open.Handle, total, cipher.AsMemory(total), ct).ConfigureAwait(false);
                if (n <= 0)
                {
                    return false;
                }

                total += n;
            }
        }
        finally
        {
            await inner.ReleaseAsync(node, open.Handle).ConfigureAwait(false);
        }

        return CryptContent.FirstBlockAuthenticates(keys, cipher);
    }
}
