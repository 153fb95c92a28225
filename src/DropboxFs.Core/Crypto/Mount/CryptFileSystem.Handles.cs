using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Crypto.Mount;

/// <summary>Open files: one <see cref="CryptNode"/> per node from its first open to its last release, and handle → node.</summary>
public sealed partial class CryptFileSystem
{
    private CryptNode? Find(ulong node)
    {
        lock (_nodesLock)
        {
            return _open.GetValueOrDefault(node);
        }
    }

    private CryptNode GetOpen(ulong node, ulong handle)
    {
        if (!_handleNodes.TryGetValue(handle, out ulong owner) || owner != node)
        {
            throw new FsException(FsError.BadHandle);
        }

        return Find(node) ?? throw new FsException(FsError.BadHandle);
    }

    private CryptNode Track(ulong node, ulong handle, bool writable)
    {
        lock (_nodesLock)
        {
            if (!_open.TryGetValue(node, out var state))
            {
                _open[node] = state = new CryptNode();
            }

            state.Opens++;
            if (writable)
            {
                state.WriteHandles.Add(handle);
                state.Writable = true;
            }

            _handleNodes[handle] = node;
            return state;
        }
    }

    private void Untrack(ulong node, ulong handle)
    {
        lock (_nodesLock)
        {
            _handleNodes.TryRemove(handle, out _);
            _views.TryRemove(handle, out _);
            if (_open.TryGetValue(node, out var state))
            {
                state.WriteHandles.Remove(handle);
                if (--state.Opens == 0)
                {
                    _open.Remove(node);
                    state.Clear();
                }
            }
        }
    }

    private bool IsWriteHandle(CryptNode state, ulong handle)
    {
        lock (_nodesLock)
        {
            return state.WriteHandles.Contains(handle);
        }
    }
}
