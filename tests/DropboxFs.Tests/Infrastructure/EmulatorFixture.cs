using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DropboxFs.Emulator;

namespace DropboxFs.Tests.Infrastructure;

/// <summary>
/// An in-process emulator on 127.0.0.1 with a plain HttpClient that carries the static token.
/// <code>await using var emu = await TestEmulator.StartAsync();</code>
/// In-memory by default (a temp folder deleted on dispose) with the control API enabled.
/// </summary>
public sealed class TestEmulator : IAsyncDisposable
{
    private TestEmulator(EmulatorServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromMinutes(10) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.StaticToken);
    }

    public EmulatorServer Server { get; }

    public Uri BaseUri => Server.BaseUri;

    public string Token => Server.StaticToken;

    public EmulatorControl Control => Server.Control;

    /// <summary>BaseAddress = <see cref="BaseUri"/>; Authorization: Bearer <see cref="Token"/>.</summary>
    public HttpClient Http { get; }

    public static async Task<TestEmulator> StartAsync(EmulatorOptions? options = null)
    {
        options ??= new EmulatorOptions();
        options.EnableControlApi = true;
        return new TestEmulator(await EmulatorServer.StartAsync(options));
    }

    /// <summary>POSTs an RPC with a JSON body (raw string, or an object serialized as-is).</summary>
    public Task<HttpResponseMessage> PostAsync(string route, object? arg)
    {
        var json = arg as string ?? JsonSerializer.Serialize(arg);
        return Http.PostAsync("2/" + route, new StringContent(json, Encoding.UTF8, "application/json")
        {
            Headers = { ContentType = new MediaTypeHeaderValue("application/json") },
        });
    }

    /// <summary>An RPC that must succeed; returns the parsed result.</summary>
    public async Task<JsonElement> RpcAsync(string route, object? arg)
    {
        using var response = await PostAsync(route, arg);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{route} → {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>files/upload of a whole file; returns the FileMetadata.</summary>
    public async Task<JsonElement> UploadAsync(string path, byte[] content, string mode = "add")
    {
        using var response = await SendContentAsync("files/upload", new { path, mode }, content);
        var text = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? JsonDocument.Parse(text).RootElement.Clone()
            : throw new HttpRequestException($"upload {path} → {(int)response.StatusCode}: {text}");
    }

    public Task<JsonElement> UploadAsync(string path, string content, string mode = "add") => UploadAsync(path, Encoding.UTF8.GetBytes(content), mode);

    /// <summary>An upload-style call: argument in Dropbox-API-Arg (ASCII-escaped), body as octet-stream.</summary>
    public Task<HttpResponseMessage> SendContentAsync(string route, object arg, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "2/" + route) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.TryAddWithoutValidation("Dropbox-API-Arg", arg as string ?? JsonSerializer.Serialize(arg));
        return Http.SendAsync(request);
    }

    /// <summary>files/download of a whole file.</summary>
    public async Task<byte[]> DownloadAsync(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "2/files/download");
        request.Headers.TryAddWithoutValidation("Dropbox-API-Arg", JsonSerializer.Serialize(new { path }));
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
