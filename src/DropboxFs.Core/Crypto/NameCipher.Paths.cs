namespace DropboxFs.Core.Crypto;

// Whole paths, for callers that hold a path rather than a parent node (the CLI's get/put):
// every segment but the last is a directory; empty segments (a leading '/') stay empty.
public sealed partial class NameCipher
{
    /// <summary>
    /// Stored form of '/'-separated <paramref name="path"/>; the last segment is a directory when
    /// <paramref name="isDirectory"/>. Throws <see cref="CryptNameTooLongException"/> for a segment over the limit.
    /// </summary>
    public string EncryptPath(string path, bool isDirectory)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] segments = path.Split('/');
        int last = LastNonEmpty(segments);
        for (int i = 0; i < segments.Length; i++)
        {
            if (segments[i].Length > 0)
            {
                segments[i] = i == last && !isDirectory ? EncryptFileName(segments[i]) : EncryptDirectoryName(segments[i]);
            }
        }

        return string.Join('/', segments);
    }

    /// <summary>Plaintext of stored <paramref name="path"/>; false when any segment does not decrypt.</summary>
    public bool TryDecryptPath(string path, bool isDirectory, out string plainPath)
    {
        ArgumentNullException.ThrowIfNull(path);
        plainPath = "";
        string[] segments = path.Split('/');
        int last = LastNonEmpty(segments);
        for (int i = 0; i < segments.Length; i++)
        {
            if (segments[i].Length == 0)
            {
                continue;
            }

            bool ok = i == last && !isDirectory
                ? TryDecryptFileName(segments[i], out segments[i])
                : TryDecryptDirectoryName(segments[i], out segments[i]);
            if (!ok)
            {
                return false;
            }
        }

        plainPath = string.Join('/', segments);
        return true;
    }

    private static int LastNonEmpty(string[] segments)
    {
        for (int i = segments.Length - 1; i >= 0; i--)
        {
            if (segments[i].Length > 0)
            {
                return i;
            }
        }

        return -1;
    }
}
