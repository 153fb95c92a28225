using DropboxFs.Api;
using DropboxFs.Emulator;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Cli;

/// <summary>
/// One in-process emulator (in-memory) shared by the CLI tests; each test works in its own remote
/// folder and its own local temp folder, so tests never see each other's files.
/// </summary>
public sealed class CliFixture : IAsyncLifetime
{
    private TestEmulator? _emulator;

    public EmulatorServer Server => _emulator?.Server ?? throw new InvalidOperationException("not started");

    /// <summary>In-process client for arranging and checking state (faster than extra CLI launches).</summary>
    public DropboxClient Client { get; private set; } = null!;

    public string Endpoint => Server.BaseUri.AbsoluteUri;

    public async Task InitializeAsync()
    {
        _emulator = await TestEmulator.StartAsync();
        Client = new DropboxClient(new DropboxClientOptions
        {
            Endpoint = Server.BaseUri,
            Tokens = new StaticTokenSource(Server.StaticToken),
        });
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    /// <summary>Global options that point a run at this emulator with its static token.</summary>
    public string[] Args(params string[] verbArgs) => [.. verbArgs, "--endpoint", Endpoint, "--token", Server.StaticToken];
}

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliFixture>
{
    public const string Name = "cli";
}

/// <summary>A per-test local folder and a per-test remote folder name.</summary>
public sealed class CliScratch : IDisposable
{
    public CliScratch()
    {
        Local = Directory.CreateTempSubdirectory("dropboxfs-cli-").FullName;
        Remote = "/cli-" + Guid.NewGuid().ToString("N")[..12];
    }

    public string Local { get; }
    public string Remote { get; }

    public string WriteLocal(string name, byte[] content)
    {
        var path = Path.Combine(Local, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Local, recursive: true);
        }
        catch (IOException)
        {
            // A process killed on timeout may still hold a file; the OS temp cleaner gets it.
        }
    }
}
