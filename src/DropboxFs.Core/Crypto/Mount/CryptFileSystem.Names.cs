using DropboxFs.Core.FileSystem;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Core.Crypto.Mount;

/// <summary>
/// Names: every name is encrypted before it reaches the inner facade, and listings decrypt. A
/// stored name that does not decrypt (a conflicted copy renamed by Dropbox, a foreign file) is
/// skipped, counted in <see cref="Undecryptable"/> and logged once.
/// </summary>
public sealed partial class CryptFileSystem
{
    private readonly UndecryptableNames _undecryptable = new();

    /// <summary>Stored entries skipped from listings because their name or size does not decrypt.</summary>
    public UndecryptableNames Undecryptable => _undecryptable;

    public async ValueTask<FsEntry> LookupAsync(ulong parent, string name, CancellationToken ct)
    {
        var entry = await LookupStoredAsync(parent, name, ct).ConfigureAwait(false)
            ?? throw new FsException(FsError.NotFound);
        return entry with { Attributes = await PlainAttributesAsync(entry.NodeId, entry.Attributes).ConfigureAwait(false) };
    }

    public async ValueTask<IReadOnlyList<FsDirEntry>> ReadDirAsync(ulong node, CancellationToken ct)
    {
        var stored = await _inner.ReadDirAsync(node, ct).ConfigureAwait(false);
        var plain = new List<FsDirEntry>(stored.Count);
        foreach (var e in stored)
        {
            if (!TryDecryptName(e.Name, e.Entry.Attributes.Kind, out string name)
                || (e.Entry.Attributes.Kind == FsNodeKind.File && e.Entry.Attributes.Size is > 0 and < CryptLayout.HeaderSize))
            {
                if (_undecryptable.Add(node, e.Name))
                {
                    _logger.LogWarning("Skipping {StoredName} in folder node {Node}: it is not encrypted with this password and these settings", e.Name, node);
                }

                continue;
            }

            var attributes = Find(e.Entry.NodeId) is { Writable: true } ? await PlainAttributesAsync(e.Entry.NodeId, e.Entry.Attributes).ConfigureAwait(false) : PlainAttributes(e.Entry.Attributes);
            plain.Add(new FsDirEntry(name, e.Entry with { Attributes = attributes }));
        }

        return plain;
    }

    public async ValueTask<FsCreateResult> CreateAsync(ulong parent, string name, FsOpenFlags flags, CancellationToken ct)
    {
        var created = await _inner.CreateAsync(parent, EncryptName(name, FsNodeKind.File), InnerFlags(flags | FsOpenFlags.Write), ct).ConfigureAwait(false);
        var node = created.Entry.NodeId;
        var state = Track(node, created.Open.Handle, writable: true);
        try
        {
            await state.Lock.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await StartEmptyLockedAsync(state, node, created.Open.Handle, ct).ConfigureAwait(false);
            }
            finally
            {
                state.Lock.Release();
            }
        }
        catch (FsException)
        {
            // No header could be written (a full disk, say): give the handle and the lookup back; the
            // kernel only sees the error. The empty stored file lists as an empty file.
            Untrack(node, created.Open.Handle);
            await _inner.ReleaseAsync(node, created.Open.Handle).ConfigureAwait(false);
            _inner.Forget(node, 1);
            throw;
        }

        var entry = created.Entry with { Attributes = created.Entry.Attributes with { Size = 0 } };
        return new FsCreateResult(entry, new FsOpenResult(created.Open.Handle, created.Open.KeepCache));
    }

    public async ValueTask<FsEntry> MkdirAsync(ulong parent, string name, CancellationToken ct) =>
        await _inner.MkdirAsync(parent, EncryptName(name, FsNodeKind.Directory), ct).ConfigureAwait(false);

    public ValueTask UnlinkAsync(ulong parent, string name, CancellationToken ct) =>
        _inner.UnlinkAsync(parent, EncryptName(name, FsNodeKind.File), ct);

    public ValueTask RmdirAsync(ulong parent, string name, CancellationToken ct) =>
        _inner.RmdirAsync(parent, EncryptName(name, FsNodeKind.Directory), ct);

    public async ValueTask RenameAsync(ulong parent, string name, ulong newParent, string newName, FsRenameFlags flags, CancellationToken ct)
    {
        // The stored name depends on the kind when file and directory names are encrypted differently.
        var source = await LookupStoredAsync(parent, name, ct).ConfigureAwait(false) ?? throw new FsException(FsError.NotFound);
        _inner.Forget(source.NodeId, 1);
        var kind = source.Attributes.Kind;
        await _inner.RenameAsync(parent, EncryptName(name, kind), newParent, EncryptName(newName, kind), flags, ct).ConfigureAwait(false);
    }

    /// <summary>The stored entry for a plaintext name (one inner lookup reference taken), or null.</summary>
    private async ValueTask<FsEntry?> LookupStoredAsync(ulong parent, string name, CancellationToken ct)
    {
        bool fileFits = _names.TryEncryptFileName(name, out string asFile);
        bool directoryFits = _names.TryEncryptDirectoryName(name, out string asDirectory);
        if (!fileFits && !directoryFits)
        {
            throw new FsException(FsError.NameTooLong);
        }

        foreach (var (stored, kind) in new[] { (asFile, FsNodeKind.File), (asDirectory, FsNodeKind.Directory) })
        {
            if (stored.Length == 0)
            {
                continue;
            }

            FsEntry entry;
            try
            {
                entry = await _inner.LookupAsync(parent, stored, ct).ConfigureAwait(false);
            }
            catch (FsException e) when (e.Error == FsError.NotFound)
            {
                continue;
            }

            // Off mode: "a" names file "a.bin" or directory "a"; a file stored as "a" decrypts to nothing.
            if (asFile == asDirectory || entry.Attributes.Kind == kind)
            {
                return entry;
            }

            _inner.Forget(entry.NodeId, 1);
        }

        return null;
    }

    private string EncryptName(string name, FsNodeKind kind)
    {
        bool ok = kind == FsNodeKind.Directory
            ? _names.TryEncryptDirectoryName(name, out string stored)
            : _names.TryEncryptFileName(name, out stored);
        return ok ? stored : throw new FsException(FsError.NameTooLong, $"'{name}' is too long once encrypted (over {NameCipher.MaxEncryptedNameBytes} bytes)");
    }

    private bool TryDecryptName(string stored, FsNodeKind kind, out string name) =>
        kind == FsNodeKind.Directory ? _names.TryDecryptDirectoryName(stored, out name) : _names.TryDecryptFileName(stored, out name);
}
