namespace DropboxFs.Emulator;

/// <summary>How an <see cref="EmulatorServer"/> listens, stores and shapes traffic.</summary>
public sealed class EmulatorOptions
{
    /// <summary>null = in-memory for tests (a temp dir deleted on dispose); else SQLite + blobs there, survives restart.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Address to bind; loopback by default.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>0 = random free port.</summary>
    public int Port { get; set; }

    /// <summary>Bearer token that is always accepted; generated if null.</summary>
    public string? StaticToken { get; set; }

    /// <summary>Lifetime of OAuth-issued access tokens.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Writes beyond this many bytes in total get <c>insufficient_space</c>.</summary>
    public long QuotaBytes { get; set; } = 2L << 40;

    /// <summary>Delay added to every API request.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>0 = unlimited; otherwise a cap per direction for the whole server.</summary>
    public long BandwidthBytesPerSecond { get; set; }

    /// <summary>Serve the /_emulator/* control endpoints (tests only).</summary>
    public bool EnableControlApi { get; set; }

    /// <summary>PEM certificate; with <see cref="TlsKeyPath"/> the server speaks HTTPS.</summary>
    public string? TlsCertPath { get; set; }

    /// <summary>PEM private key for <see cref="TlsCertPath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>Clock for timestamps, token expiry and long-poll timeouts.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
