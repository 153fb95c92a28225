namespace DropboxFs.Emulator.Storage;

/// <summary>
/// Content storage, separate from metadata: immutable blobs named by content_hash under
/// blobs/ab/&lt;hash&gt;, in-flight request bodies under tmp/, upload-session bytes under sessions/.
/// A blob is only ever created by renaming a finished temp file, so readers never see partial data.
/// Blobs are never garbage-collected while the server runs (revisions keep pointing at them);
/// Reset deletes them all.
/// </summary>
internal sealed class BlobStore
{
    private readonly string _root;

    public BlobStore(string root)
    {
        _root = root;
        Directory.CreateDirectory(Path.Combine(root, "blobs"));
        Directory.CreateDirectory(Path.Combine(root, "sessions"));
        var tmp = Path.Combine(root, "tmp");
        if (Directory.Exists(tmp))
        {
            Directory.Delete(tmp, recursive: true); // leftovers of requests cut by a crash
        }

        Directory.CreateDirectory(tmp);
    }

    public string BlobPath(string hash) => Path.Combine(_root, "blobs", hash[..2], hash);

    public string SessionPath(string sessionId) => Path.Combine(_root, "sessions", sessionId);

    public bool Exists(string hash) => File.Exists(BlobPath(hash));

    /// <summary>A fresh temp file for a request body.</summary>
    public string NewTempPath() => Path.Combine(_root, "tmp", Guid.NewGuid().ToString("n"));

    /// <summary>Moves a finished file into the store under its hash (or drops it if the blob exists).</summary>
    public void Adopt(string filePath, string hash)
    {
        var target = BlobPath(hash);
        if (File.Exists(target))
        {
            File.Delete(filePath);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Move(filePath, target, overwrite: true);
    }

    public FileStream OpenRead(string hash) => new(BlobPath(hash), new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.Read | FileShare.Delete,
        Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        BufferSize = 0,
    });

    public void DeleteSession(string sessionId)
    {
        var p = SessionPath(sessionId);
        if (File.Exists(p))
        {
            File.Delete(p);
        }
    }

    /// <summary>Deletes every blob and session file (control API reset).</summary>
    public void Clear()
    {
        foreach (var dir in new[] { "blobs", "sessions" })
        {
            var p = Path.Combine(_root, dir);
            Directory.Delete(p, recursive: true);
            Directory.CreateDirectory(p);
        }
    }
}
