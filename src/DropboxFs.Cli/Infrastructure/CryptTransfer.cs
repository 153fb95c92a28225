using DropboxFs.Api;
using DropboxFs.Core.Crypto;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>
/// get/put of one rclone crypt file: the content is encrypted or decrypted as it streams (one
/// 64 KiB block in memory), the name with the remote path. A download goes to a temporary file
/// that becomes LOCAL only once every block authenticated, so a wrong password or a damaged file
/// leaves nothing behind.
/// </summary>
internal static class CryptTransfer
{
    /// <summary>
    /// Stored form of plaintext <paramref name="plainPath"/> below <paramref name="cryptRoot"/>
    /// (a Dropbox folder, not encrypted itself, as `mount --remote-root`).
    /// </summary>
    public static string StoredPath(CryptSettings crypt, string cryptRoot, string plainPath, bool isDirectory)
    {
        try
        {
            return cryptRoot + crypt.Names.EncryptPath(plainPath, isDirectory);
        }
        catch (CryptNameTooLongException e)
        {
            throw new CliException(ExitCode.Usage, $"{RemotePath.Display(plainPath)}: a name is too long once encrypted ({e.EncryptedBytes} bytes, the limit is {NameCipher.MaxEncryptedNameBytes}); shorten it");
        }
    }

    /// <summary>Downloads and decrypts <paramref name="storedSource"/> into <paramref name="local"/> (atomically).</summary>
    public static async Task<long> DownloadToFileAsync(DropboxClient client, string storedSource, CryptKeys keys, string local, Action<long> report, CancellationToken ct)
    {
        string temp = Path.Combine(Path.GetDirectoryName(local) ?? ".", $".{Path.GetFileName(local)}.dropboxfs-{Guid.NewGuid():N}.part");
        try
        {
            long written;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
            {
                await using var counted = new CountingStream(file, 0, report);
                written = await DownloadAsync(client, storedSource, keys, counted, ct);
            }

            File.Move(temp, local, overwrite: true);
            return written;
        }
        finally
        {
            File.Delete(temp); // gone already after a successful move
        }
    }

    /// <summary>Downloads and decrypts into <paramref name="destination"/>; returns the plaintext bytes written.</summary>
    public static async Task<long> DownloadAsync(DropboxClient client, string storedSource, CryptKeys keys, Stream destination, CancellationToken ct)
    {
        await using var response = await client.OpenDownloadAsync(storedSource, ct: ct);
        long stored = response.Metadata.Size;
        if (!CryptLayout.TryGetDecryptedSize(stored, out long expected))
        {
            throw new CliException(ExitCode.DecryptFailed, $"{stored} bytes is not the size of an rclone crypt file: it is not encrypted, or it was cut short");
        }

        long written = 0;
        await using (var decrypting = new DecryptingStream(response.Content, keys, leaveOpen: true))
        {
            byte[] buffer = new byte[CryptLayout.BlockDataSize];
            try
            {
                int n;
                while ((n = await decrypting.ReadAsync(buffer, ct)) > 0)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, n), ct);
                    written += n;
                }
            }
            catch (CryptAuthenticationException e) when (e.BlockIndex == 0)
            {
                throw new CliException(ExitCode.DecryptFailed, "the first block does not decrypt: wrong password, wrong --salt-file, or the file is damaged");
            }
            catch (CryptException e)
            {
                throw new CliException(ExitCode.DecryptFailed, $"the file does not decrypt ({e.Message}); it is damaged or not encrypted with this password");
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(buffer);
            }
        }

        if (written != expected)
        {
            throw new CliException(ExitCode.DecryptFailed, $"the file ended after {written} of {expected} bytes: it was cut short");
        }

        return written;
    }
}
