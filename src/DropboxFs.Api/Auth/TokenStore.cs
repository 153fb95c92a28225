using System.Text.Json;

namespace DropboxFs.Api;

/// <summary>Persists a <see cref="StoredToken"/> as JSON, by default in <c>~/.config/dropboxfs/token.json</c>.
/// On Unix the file is created with mode 0600 from the start (never world-readable, even briefly) and replaced
/// atomically via a 0600 temp file plus rename; the directory is created 0700.</summary>
public sealed class TokenStore
{
    /// <summary>Uses <paramref name="path"/>, or the default location when null.</summary>
    public TokenStore(string? path = null) => FilePath = path ?? DefaultPath;

    /// <summary>~/.config/dropboxfs/token.json (XDG_CONFIG_HOME honoured).</summary>
    public static string DefaultPath
    {
        get
        {
            var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
            if (string.IsNullOrEmpty(config))
            {
                config = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            }
            return Path.Combine(config, "dropboxfs", "token.json");
        }
    }

    /// <summary>The token file.</summary>
    public string FilePath { get; }

    /// <summary>Reads the token, or null when there is none.</summary>
    public async Task<StoredToken?> LoadAsync(CancellationToken ct = default)
    {
        if (!File.Exists(FilePath))
        {
            return null;
        }
        await using var stream = new FileStream(FilePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        return await JsonSerializer.DeserializeAsync(stream, ApiJsonContext.Default.StoredToken, ct).ConfigureAwait(false);
    }

    /// <summary>Writes the token atomically with mode 0600.</summary>
    public async Task SaveAsync(StoredToken token, CancellationToken ct = default)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(FilePath))!;
        if (!Directory.Exists(dir))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(dir);
            }
            else
            {
                Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        var temp = FilePath + ".tmp-" + Environment.ProcessId;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using (var stream = new FileStream(temp, options))
        {
            if (!OperatingSystem.IsWindows())
            {
                // UnixCreateMode applies only to new files; a leftover temp file keeps its old mode, so set it too.
                File.SetUnixFileMode(stream.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            await JsonSerializer.SerializeAsync(stream, token, ApiJsonContext.Default.StoredToken, ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, FilePath, overwrite: true);
    }

    /// <summary>Deletes the token file (logout). Returns false when there was none.</summary>
    public bool Delete()
    {
        if (!File.Exists(FilePath))
        {
            return false;
        }
        File.Delete(FilePath);
        return true;
    }
}
