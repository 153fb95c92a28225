using DropboxFs.Emulator.Model;
using DropboxFs.Emulator.Service;

namespace DropboxFs.Emulator;

/// <summary>Copies a local folder tree into the emulated account (overwrite mode; mtime → client_modified).</summary>
internal static class Seeder
{
    public static async Task SeedAsync(DropboxState state, string directory, string remotePath, CancellationToken ct)
    {
        var root = new DirectoryInfo(directory);
        if (!root.Exists)
        {
            throw new DirectoryNotFoundException($"Seed folder not found: {directory}");
        }

        var prefix = remotePath.TrimEnd('/');
        if (prefix.Length > 0)
        {
            await EnsureFolderAsync(state, prefix, ct);
        }

        foreach (var info in root.EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).OrderBy(i => i.FullName, StringComparer.Ordinal))
        {
            var remote = prefix + "/" + Path.GetRelativePath(root.FullName, info.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (info is DirectoryInfo)
            {
                await EnsureFolderAsync(state, remote, ct);
                continue;
            }

            var temp = state.Blobs.NewTempPath();
            try
            {
                File.Copy(info.FullName, temp);
                string hash;
                await using (var s = File.OpenRead(temp))
                {
                    hash = await ContentHasher.ComputeAsync(s, ct);
                }

                var size = new FileInfo(temp).Length;
                var mtime = new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero).ToUnixTimeSeconds();
                await state.RunAsync(() =>
                {
                    try
                    {
                        state.CommitFileLocked(new CommitInfo(remote, "overwrite", null, false, mtime, false), hash, size, () => state.Blobs.Adopt(temp, hash));
                    }
                    catch (Exception e) when (e is PathFault or Http.ApiException)
                    {
                        // A name Dropbox refuses (desktop.ini, a too-long name…) is skipped, as the desktop client would.
                    }
                }, ct);
            }
            finally
            {
                File.Delete(temp);
            }
        }
    }

    private static Task EnsureFolderAsync(DropboxState state, string path, CancellationToken ct) => state.RunAsync(() =>
    {
        try
        {
            if (state.Entries.GetByPath(DbxPath.Lower(path)) == null)
            {
                state.CreateFolderLocked(path, autorename: false);
            }
        }
        catch (Exception e) when (e is PathFault or Http.ApiException)
        {
            // Refused folder name: skipped; its files then fail the same way and are skipped too.
        }
    }, ct);
}
