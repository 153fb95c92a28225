using DropboxFs.Core.FileSystem;

namespace DropboxFs.Core.Crypto.Mount;

/// <summary>
/// What the decorator knows about one open file: its nonce, plaintext size and the unsealed tail
/// block of sequential writes. The shared one exists from the first open of a node to its last
/// release; everything in it except <see cref="Opens"/> is guarded by <see cref="Lock"/>. A reader
/// that opened while nobody wrote has a private one (a view: fixed nonce and size, no lock).
/// </summary>
internal sealed class CryptNode
{
    public SemaphoreSlim Lock { get; } = new(1, 1);

    /// <summary>Open handles (guarded by the decorator's node table lock).</summary>
    public int Opens { get; set; }

    /// <summary>True once any handle opened the file for writing; stays true until the last release.</summary>
    public volatile bool Writable;

    /// <summary>The file nonce; null until the header is read (or written for a new file).</summary>
    public byte[]? Nonce { get; set; }

    /// <summary>True once <see cref="Size"/> and <see cref="Sealed"/> describe the file (loaded or written).</summary>
    public bool Loaded { get; set; }

    /// <summary>Plaintext size, including the unsealed tail.</summary>
    public long Size { get; set; }

    /// <summary>
    /// Blocks [0, Sealed) are stored in the inner file under <see cref="Nonce"/>. A block index below
    /// it is never sealed again under the same nonce (that would reuse a Poly1305 key): such a write
    /// re-encrypts the file under a fresh nonce instead.
    /// </summary>
    public long Sealed { get; set; }

    /// <summary>Plaintext of block <see cref="Sealed"/> not yet sealed (sequential writes); at most 64 KiB.</summary>
    public byte[]? Tail { get; set; }

    public int TailLength { get; set; }

    /// <summary>Bytes the inner file holds (header plus sealed blocks, or more before a shrink).</summary>
    public long StoredSize { get; set; }

    /// <summary>Handles opened for writing (a read-only handle never writes the tail).</summary>
    public HashSet<ulong> WriteHandles { get; } = [];

    /// <summary>Forgets the plaintext tail (cleared: plaintext buffers never go back unzeroed).</summary>
    public void Clear()
    {
        if (Tail is { } tail)
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(tail);
        }

        Tail = null;
        TailLength = 0;
    }
}
