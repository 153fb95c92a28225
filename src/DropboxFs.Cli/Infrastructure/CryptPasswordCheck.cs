using DropboxFs.Api;
using DropboxFs.Core.Crypto;

namespace DropboxFs.Cli.Infrastructure;

/// <summary>
/// Before `put --password-file` writes into an encrypted folder that already has content: does
/// this password open it? A mistyped password would otherwise add a file that nothing else can
/// read. Same rule as the mount's check: up to 5 names of the folder and the first block of one
/// file; anything that decrypts is proof, nothing decrypting is a refusal. A missing or empty
/// folder passes.
/// </summary>
internal static class CryptPasswordCheck
{
    private const int MaxNames = 5;

    public static async Task VerifyAsync(DropboxClient client, CryptSettings crypt, string cryptRoot, CancellationToken ct)
    {
        ListFolderResult page;
        try
        {
            page = await client.ListFolderAsync(cryptRoot, new ListFolderOptions { Limit = 100 }, ct);
        }
        catch (DropboxApiException e) when (e.IsNotFound)
        {
            return; // a new encrypted folder
        }

        int names = 0, namesOk = 0;
        FileMetadata? sample = null;
        foreach (var entry in page.Entries)
        {
            bool isFolder = entry is FolderMetadata;
            bool decrypts = isFolder ? crypt.Names.TryDecryptDirectoryName(entry.Name, out _) : crypt.Names.TryDecryptFileName(entry.Name, out _);
            if (names < MaxNames && crypt.Names.Mode != NameEncryptionMode.Off && (!isFolder || crypt.Names.EncryptDirectoryNames))
            {
                names++;
                namesOk += decrypts ? 1 : 0;
            }

            if (sample is null && entry is FileMetadata file && decrypts && file.Size > CryptLayout.HeaderSize + CryptLayout.BlockOverhead)
            {
                sample = file;
            }
        }

        bool? block = sample is null ? null : await FirstBlockDecryptsAsync(client, crypt.Keys, sample, ct);
        if (namesOk > 0 || block == true || (names == 0 && block is null))
        {
            return;
        }

        throw new CliException(ExitCode.DecryptFailed,
            $"this password does not open {RemotePath.Display(cryptRoot.Length == 0 ? "/" : cryptRoot)}: none of the {names} names"
            + (block is null ? "" : " and 1 file") + " checked there decrypt, so nothing was uploaded. "
            + "Check the password file, --salt-file, --filename-encryption and --directory-name-encryption");
    }

    private static async Task<bool> FirstBlockDecryptsAsync(DropboxClient client, CryptKeys keys, FileMetadata file, CancellationToken ct)
    {
        int length = (int)Math.Min(file.Size, CryptLayout.HeaderSize + CryptLayout.BlockSize);
        byte[] cipher = new byte[length];
        await using (var response = await client.OpenDownloadAsync(file.PathLower ?? file.Id, 0, length, ct))
        {
            await response.Content.ReadExactlyAsync(cipher, ct);
        }

        return CryptContent.FirstBlockAuthenticates(keys, cipher);
    }
}
