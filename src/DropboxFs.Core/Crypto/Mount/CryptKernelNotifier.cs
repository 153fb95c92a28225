using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Crypto.Mount;

/// <summary>
/// Sits between the inner facade and the adapter's notifier: the inner facade names entries by
/// their stored (encrypted) names, the kernel knows the plaintext ones. The kind of the entry is
/// unknown here, so every plaintext name the stored name can stand for is invalidated (an extra
/// invalidation only costs one lookup); a name that decrypts to nothing was never shown, so it is dropped.
/// </summary>
internal sealed class CryptKernelNotifier(IKernelNotifier kernel, NameCipher names) : IKernelNotifier
{
    public void InvalidateEntry(ulong parent, string name)
    {
        bool asFile = names.TryDecryptFileName(name, out string file);
        if (asFile)
        {
            kernel.InvalidateEntry(parent, file);
        }

        if (names.TryDecryptDirectoryName(name, out string directory) && !(asFile && directory == file))
        {
            kernel.InvalidateEntry(parent, directory);
        }
    }

    public void InvalidateInode(ulong node, long offset = 0, long length = -1) =>
        // Offsets in the inner file are ciphertext offsets: invalidate all of the node's data.
        kernel.InvalidateInode(node, 0, length == 0 ? 0 : -1);
}
