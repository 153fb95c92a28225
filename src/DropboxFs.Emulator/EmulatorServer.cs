using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DropboxFs.Emulator.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DropboxFs.Emulator;

/// <summary>A Dropbox API v2 compatible server on Kestrel (see README.md next to this file).</summary>
public sealed class EmulatorServer : IAsyncDisposable
{
    // Dropbox takes 150 MiB per request (§5.7); Kestrel's own cap is lifted and ours enforced per route.
    internal const long MaxUploadBody = 150L * 1024 * 1024;

    private readonly WebApplication _app;
    private readonly EmulatorRuntime _runtime;
    private int _stopped;

    private EmulatorServer(WebApplication app, EmulatorRuntime runtime)
    {
        _app = app;
        _runtime = runtime;
        Control = new EmulatorControl(runtime);
    }

    /// <summary>e.g. http://127.0.0.1:43817/ — every host's routes on this one origin.</summary>
    public Uri BaseUri => _runtime.BaseUri;

    /// <summary>Bearer token that always works.</summary>
    public string StaticToken => _runtime.StaticToken;

    /// <summary>In-process equivalent of the /_emulator/* control endpoints.</summary>
    public EmulatorControl Control { get; }

    public static async Task<EmulatorServer> StartAsync(EmulatorOptions options, CancellationToken ct = default)
    {
        var runtime = new EmulatorRuntime(options);
        try
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.Logging.AddFilter(_ => false);
            builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
            {
                k.AddServerHeader = false;
                k.Limits.MaxRequestBodySize = null;
                k.Limits.MinRequestBodyDataRate = null; // bandwidth shaping and long uploads must not trip it
                k.Limits.MinResponseDataRate = null;
                k.Limits.MaxRequestHeadersTotalSize = 256 * 1024; // long escaped Dropbox-API-Arg paths
                k.Limits.MaxRequestLineSize = 64 * 1024; // GET download with the arg in the query string
                k.RequestHeaderEncodingSelector = _ => Encoding.UTF8; // raw UTF-8 Dropbox-API-Arg from Go clients (§1.6)
                k.Listen(IPAddress.Parse(options.BindAddress), options.Port, listen =>
                {
                    if (options.TlsCertPath != null)
                    {
                        listen.UseHttps(X509Certificate2.CreateFromPemFile(options.TlsCertPath, options.TlsKeyPath));
                    }
                });
            });
            var app = builder.Build();
            var pipeline = new ApiPipeline(runtime);
            app.Run(pipeline.HandleAsync);
            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var port = new Uri(address).Port;
            var scheme = options.TlsCertPath != null ? "https" : "http";
            var host = options.BindAddress is "0.0.0.0" or "::" ? "127.0.0.1" : options.BindAddress;
            runtime.BaseUri = new Uri($"{scheme}://{(host.Contains(':') ? $"[{host}]" : host)}:{port}/");
            return new EmulatorServer(app, runtime);
        }
        catch
        {
            runtime.Dispose();
            throw;
        }
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _runtime.Stopping.CancelAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
        _runtime.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
