using System.CommandLine;
using System.Runtime.InteropServices;
using DropboxFs.Emulator;

namespace DropboxFs.Cli.Commands;

/// <summary><c>dropboxfs emulator</c>: runs the Dropbox-API-compatible emulator until Ctrl-C or SIGTERM.</summary>
internal static class EmulatorCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Data folder (SQLite metadata + content blobs). Default: ~/.local/share/dropboxfs/emulator" };
        var port = new Option<int>("--port") { Description = "TCP port; 0 picks a free one.", DefaultValueFactory = _ => 0 };
        var bind = new Option<string>("--bind") { Description = "Address to bind.", DefaultValueFactory = _ => "127.0.0.1" };
        var latency = new Option<int>("--latency") { Description = "Milliseconds added to every API request." };
        var bandwidth = new Option<long>("--bandwidth") { Description = "Bytes per second per direction for the whole server (0 = unlimited)." };
        var quota = new Option<long?>("--quota") { Description = "Account quota in bytes (default 2 TiB)." };
        var lifetime = new Option<int?>("--access-token-lifetime") { Description = "Seconds an OAuth-issued access token lives (default 14400)." };
        var control = new Option<bool>("--enable-control") { Description = "Serve the /_emulator/* control endpoints (tests only)." };
        var cert = new Option<string?>("--tls-cert") { Description = "PEM certificate: serve HTTPS." };
        var key = new Option<string?>("--tls-key") { Description = "PEM private key for --tls-cert." };

        var command = new Command("emulator", "Run a local Dropbox API v2 emulator (use with --endpoint).")
        {
            data, port, bind, latency, bandwidth, quota, lifetime, control, cert, key,
        };
        command.SetAction(async (parse, ct) =>
        {
            if ((parse.GetValue(cert) == null) != (parse.GetValue(key) == null))
            {
                Console.Error.WriteLine("--tls-cert and --tls-key go together; give both or neither.");
                return (int)ExitCode.Usage;
            }

            var options = new EmulatorOptions
            {
                DataDirectory = parse.GetValue(data) ?? DefaultDataDirectory(),
                Port = parse.GetValue(port),
                BindAddress = parse.GetValue(bind) ?? "127.0.0.1",
                StaticToken = parse.GetValue(GlobalOptions.Token) ?? Environment.GetEnvironmentVariable("DROPBOXFS_TOKEN"),
                Latency = TimeSpan.FromMilliseconds(parse.GetValue(latency)),
                BandwidthBytesPerSecond = parse.GetValue(bandwidth),
                EnableControlApi = parse.GetValue(control),
                TlsCertPath = parse.GetValue(cert),
                TlsKeyPath = parse.GetValue(key),
            };
            if (parse.GetValue(quota) is long q)
            {
                options.QuotaBytes = q;
            }

            if (parse.GetValue(lifetime) is int seconds)
            {
                options.AccessTokenLifetime = TimeSpan.FromSeconds(seconds);
            }

            return await RunAsync(options, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(EmulatorOptions options, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        void OnSignal(PosixSignalContext c)
        {
            c.Cancel = true;
            stop.Cancel();
        }

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        EmulatorServer server;
        try
        {
            server = await EmulatorServer.StartAsync(options, stop.Token);
        }
        catch (IOException e)
        {
            // Port in use, data folder not writable, certificate file missing.
            Console.Error.WriteLine($"Cannot start the emulator: {e.Message.TrimEnd('.')}. Check --port, --data and the --tls-* files.");
            return (int)ExitCode.Unavailable;
        }
        catch (FormatException e)
        {
            Console.Error.WriteLine($"Bad --bind address: {e.Message.TrimEnd('.')}. Use an IP address such as 127.0.0.1.");
            return (int)ExitCode.Usage;
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            Console.Error.WriteLine($"Cannot load the TLS certificate or key: {e.Message.TrimEnd('.')}. Give PEM files to --tls-cert and --tls-key.");
            return (int)ExitCode.Usage;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"Cannot use the data folder: {e.Message.TrimEnd('.')}. Pick a writable --data folder.");
            return (int)ExitCode.LocalIo;
        }

        await using (server)
        {
            Console.WriteLine($"Emulator listening on {server.BaseUri} (token: {server.StaticToken})");
            Console.WriteLine($"Data: {options.DataDirectory}. Stop with Ctrl-C.");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("Stopping the emulator.");
            }
        }

        return (int)ExitCode.Ok;
    }

    private static string DefaultDataDirectory() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "dropboxfs", "emulator");
}
