using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Names;

/// <summary>Core keeps names as Dropbox stores them; the kernel knows the local (unescaped) names.</summary>
internal sealed class LocalNameNotifier(IKernelNotifier inner) : IKernelNotifier
{
    public void InvalidateEntry(ulong parent, string name) => inner.InvalidateEntry(parent, NameEscaping.ToLocal(name));

    public void InvalidateInode(ulong node, long offset = 0, long length = -1) => inner.InvalidateInode(node, offset, length);
}
