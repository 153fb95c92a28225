using DropboxFs.Api;

namespace DropboxFs.MountTests.Infrastructure;

/// <summary>Checks the emulator side: every local file is there with its size and Dropbox content_hash,
/// every local folder exists, and nothing else is (no temp, lock or staging names left over).</summary>
public static class RemoteTree
{
    public static async Task AssertMatchesAsync(DropboxClient client, string localRoot, string remoteRoot)
    {
        var remote = new Dictionary<string, Metadata>(StringComparer.Ordinal);
        await foreach (var m in client.ListAllAsync(remoteRoot, new ListFolderOptions { Recursive = true }))
        {
            if (m.PathDisplay is { } p && p.Length > remoteRoot.Length)
            {
                remote[p[(remoteRoot.Length + 1)..].Normalize()] = m;
            }
        }

        var expected = Directory.EnumerateFileSystemEntries(localRoot, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(localRoot, f))
            .ToList();
        foreach (string rel in expected)
        {
            string local = Path.Combine(localRoot, rel);
            Assert.True(remote.TryGetValue(rel.Normalize(), out var m), $"{remoteRoot}/{rel} is not on the server; it has: {string.Join(", ", remote.Keys.Order())}");
            if (Directory.Exists(local))
            {
                Assert.IsType<FolderMetadata>(m);
                continue;
            }

            var file = Assert.IsType<FileMetadata>(m);
            Assert.True(new FileInfo(local).Length == file.Size, $"{rel}: {file.Size} bytes on the server, {new FileInfo(local).Length} local");
            Assert.True(await ContentHash.ComputeFileAsync(local) == file.ContentHash, $"{rel}: the server's content_hash differs from the local file's");
        }

        var extra = remote.Keys.Except(expected.Select(e => e.Normalize())).ToList();
        Assert.True(extra.Count == 0, $"unexpected entries under {remoteRoot} on the server: {string.Join(", ", extra)}");
    }
}
