using System.Globalization;
using System.Net.Http.Json;
using DropboxFs.Api;
using DropboxFs.MountTests.Infrastructure;

namespace DropboxFs.MountTests;

[CollectionDefinition(Name)]
public sealed class MountCollection : ICollectionFixture<MountFixture>
{
    public const string Name = "mounted account";
}

/// <summary>
/// One standalone emulator process (seeded from <see cref="SeedTree"/>) and one read-only
/// `dropboxfs mount` process shared by the collection, so the 10,000-entry tree is seeded once.
/// Dispose stops the mount with SIGTERM and then FAILS the run if any mount under the temp folder or any
/// started process was still there (after cleaning it up).
/// </summary>
public sealed class MountFixture : IAsyncLifetime
{
    public const string Token = "mount-tests-token";
    public const long QuotaBytes = 7L << 30;

    private readonly List<DropboxfsProcess> _processes = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(2) };
    private DropboxfsProcess? _emulator;

    public string Dir { get; } = Directory.CreateTempSubdirectory("dropboxfs-mounttests-").FullName;

    public SeedTree Seed => new(Path.Combine(Dir, "seed"));

    public string Mnt => Path.Combine(Dir, "mnt");

    /// <summary>Where /Tree appears through the mount.</summary>
    public string Tree => Path.Combine(Mnt, "Tree");

    public Uri BaseUri { get; private set; } = null!;

    public DropboxClient Client { get; private set; } = null!;

    public DropboxfsProcess Mount { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Seed.Create();
        _emulator = Track(DropboxfsProcess.Start(
            "emulator", "--port", "0", "--data", Path.Combine(Dir, "emulator"), "--token", Token,
            "--quota", QuotaBytes.ToString(CultureInfo.InvariantCulture), "--enable-control"));
        string line = await _emulator.WaitForLineAsync(l => l.Contains("Emulator listening on ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        string url = line[(line.IndexOf("http://", StringComparison.Ordinal))..].Split(' ')[0];
        BaseUri = new Uri(url);
        Client = new DropboxClient(new DropboxClientOptions { Endpoint = BaseUri, Tokens = new StaticTokenSource(Token) });

        using var seeded = await _http.PostAsJsonAsync(new Uri(BaseUri, "_emulator/seed"), new { local_path = Seed.Root, remote_path = SeedTree.Remote });
        Assert.True(seeded.IsSuccessStatusCode, $"seed: {(int)seeded.StatusCode} {await seeded.Content.ReadAsStringAsync()}");
        await Client.CreateFolderAsync("/Changes");

        Directory.CreateDirectory(Mnt);
        Mount = await StartMountAsync(Mnt, "--read-only");
    }

    /// <summary>Starts `dropboxfs mount` on <paramref name="mountPoint"/> (own cache) and waits for "Mounted ".</summary>
    public async Task<DropboxfsProcess> StartMountAsync(string mountPoint, params string[] extra)
    {
        var p = StartMountProcess(mountPoint, extra);
        await p.WaitForLineAsync(l => l.StartsWith("Mounted ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        return p;
    }

    public DropboxfsProcess StartMountProcess(string mountPoint, params string[] extra)
    {
        string cache = Path.Combine(Dir, "cache-" + Path.GetFileName(mountPoint));
        // A writable mount keeps its upload journal here, never in the user's ~/.local/share.
        string[] state = extra.Contains("--read-only") || extra.Contains("--state-dir") ? [] : ["--state-dir", Path.Combine(Dir, "state-" + Path.GetFileName(mountPoint))];
        return Track(DropboxfsProcess.Start(
            ["mount", mountPoint, "--endpoint", BaseUri.AbsoluteUri, "--token", Token, "--cache-dir", cache, .. state, .. extra]));
    }

    public async Task<string> ControlAsync(string route, object? body = null)
    {
        using var r = body is null
            ? await _http.GetAsync(new Uri(BaseUri, "_emulator/" + route))
            : await _http.PostAsJsonAsync(new Uri(BaseUri, "_emulator/" + route), body);
        string text = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"_emulator/{route}: {(int)r.StatusCode} {text}");
        return text;
    }

    public async Task DisposeAsync()
    {
        var problems = new List<string>();
        if (Mount is { HasExited: false })
        {
            await Run.SignalAsync(Mount.Id, "TERM");
            try
            {
                int exit = await Mount.WaitForExitAsync(TimeSpan.FromSeconds(20));
                if (exit != 0)
                {
                    problems.Add($"the shared mount exited {exit} on SIGTERM:\n{Mount.Output}");
                }
            }
            catch (TimeoutException e)
            {
                problems.Add(e.Message);
            }
        }

        foreach (string target in Mounts.Under(Dir))
        {
            problems.Add($"a mount was left behind at {target}");
            await Mounts.DetachAsync(target);
        }

        foreach (var p in _processes.Where(p => p != _emulator))
        {
            if (p.Kill())
            {
                problems.Add($"a dropboxfs process (pid {p.Id}) was left running:\n{p.Output}");
            }
        }

        if (_emulator is { HasExited: false })
        {
            await Run.SignalAsync(_emulator.Id, "TERM");
            try
            {
                await _emulator.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                // Killed by WaitForExitAsync; the emulator is not under test here.
            }
        }

        foreach (var p in _processes)
        {
            p.Dispose();
        }

        Client?.Dispose();
        _http.Dispose();
        if (Mounts.Under(Dir).Count == 0)
        {
            Directory.Delete(Dir, recursive: true);
        }

        Assert.True(problems.Count == 0, "leftovers after the mount tests:\n" + string.Join("\n", problems));
    }

    private DropboxfsProcess Track(DropboxfsProcess p)
    {
        lock (_processes)
        {
            _processes.Add(p);
        }

        return p;
    }
}
