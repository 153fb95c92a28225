using System.Collections.Concurrent;
using DropboxFs.Core.FileSystem;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Core.Crypto.Mount;

/// <summary>
/// An <see cref="IFileSystem"/> that stores names and contents in rclone crypt format inside an
/// inner facade (normally <c>DropboxFileSystem</c>, whose block cache then holds ciphertext only).
/// Node ids and handles are the inner ones; this layer only translates names, sizes and bytes.
/// Lock order: a <see cref="CryptNode.Lock"/>, then <c>_nodesLock</c>; <c>_nodesLock</c> is never held
/// while a node lock is awaited.
/// </summary>
public sealed partial class CryptFileSystem : IFileSystem
{
    private readonly IFileSystem _inner;
    private readonly CryptKeys _keys;
    private readonly NameCipher _names;
    private readonly ILogger _logger;
    private readonly object _nodesLock = new();
    private readonly Dictionary<ulong, CryptNode> _open = [];
    private readonly ConcurrentDictionary<ulong, ulong> _handleNodes = new(); // handle → node
    private readonly ConcurrentDictionary<ulong, CryptNode> _views = new(); // read-only handle → its own nonce and size

    public CryptFileSystem(IFileSystem inner, CryptKeys keys, NameCipher names, ILoggerFactory? loggers = null)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _keys = keys ?? throw new ArgumentNullException(nameof(keys));
        _names = names ?? throw new ArgumentNullException(nameof(names));
        _logger = (loggers ?? NullLoggerFactory.Instance).CreateLogger("dropboxfs.crypt");
    }

    /// <summary>The name cipher (for callers that encrypt paths themselves, e.g. the mount's checks).</summary>
    public NameCipher Names => _names;

    /// <summary>Wraps the adapter's notifier so that invalidations from the inner facade carry plaintext names.</summary>
    public IKernelNotifier WrapNotifier(IKernelNotifier kernel) => new CryptKernelNotifier(kernel, _names);

    public void Remember(ulong node) => _inner.Remember(node);

    public void Forget(ulong node, ulong count) => _inner.Forget(node, count);

    public async ValueTask<FsAttributes> GetAttrAsync(ulong node, CancellationToken ct) =>
        await PlainAttributesAsync(node, await _inner.GetAttrAsync(node, ct).ConfigureAwait(false)).ConfigureAwait(false);

    public async ValueTask<FsStatFs> StatFsAsync(CancellationToken ct)
    {
        var inner = await _inner.StatFsAsync(ct).ConfigureAwait(false);
        return inner with { MaxNameLength = Math.Min(inner.MaxNameLength, MaxPlainNameLength()) };
    }

    /// <summary>Longest plaintext name (ASCII) whose stored form fits 255 bytes.</summary>
    private int MaxPlainNameLength() => _names.Mode switch
    {
        NameEncryptionMode.Standard => 143, // 144 bytes pad to 160 = 256 base32 characters
        NameEncryptionMode.Off => NameCipher.MaxEncryptedNameBytes - NameCipher.OffSuffix.Length,
        _ => NameCipher.MaxEncryptedNameBytes - 4, // "255." prefix
    };

    private async ValueTask<FsAttributes> PlainAttributesAsync(ulong node, FsAttributes inner)
    {
        if (inner.Kind == FsNodeKind.Directory)
        {
            return inner;
        }

        var state = Find(node);
        if (state is { Writable: true })
        {
            await state.Lock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (state.Loaded)
                {
                    return inner with { Size = state.Size };
                }
            }
            finally
            {
                state.Lock.Release();
            }
        }

        return inner with { Size = PlainSize(inner.Size) };
    }

    private static FsAttributes PlainAttributes(FsAttributes inner) =>
        inner.Kind == FsNodeKind.Directory ? inner : inner with { Size = PlainSize(inner.Size) };

    /// <summary>
    /// Plaintext size of a stored size. A size no plaintext encrypts to (cut inside a tag) is shown
    /// one byte into the broken block, so that reading to the end reaches it and gets EIO.
    /// </summary>
    internal static long PlainSize(long storedSize)
    {
        if (CryptLayout.TryGetDecryptedSize(storedSize, out long plain))
        {
            return plain;
        }

        return storedSize < CryptLayout.HeaderSize
            ? 0
            : (((storedSize - CryptLayout.HeaderSize) / CryptLayout.BlockSize) * CryptLayout.BlockDataSize) + 1;
    }
}
