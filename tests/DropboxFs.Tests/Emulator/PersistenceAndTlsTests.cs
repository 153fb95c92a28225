using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DropboxFs.Emulator;
using DropboxFs.Tests.Infrastructure;
using static DropboxFs.Tests.Emulator.EmulatorAssert;

namespace DropboxFs.Tests.Emulator;

public class PersistenceAndTlsTests
{
    [Fact]
    public async Task DataAndCursorsSurviveARestart()
    {
        var dir = Directory.CreateTempSubdirectory("emu-persist-");
        try
        {
            string cursor;
            string rev;
            await using (var first = await TestEmulator.StartAsync(new() { DataDirectory = dir.FullName, StaticToken = "tok" }))
            {
                rev = (await first.UploadAsync("/keep/a.txt", "persisted")).GetProperty("rev").GetString()!;
                cursor = (await first.RpcAsync("files/list_folder", new { path = "", recursive = true })).GetProperty("cursor").GetString()!;
                var session = await OkAsync(await first.SendContentAsync("files/upload_session/start", new { }, "half"u8.ToArray()));
                await File.WriteAllTextAsync(Path.Combine(dir.FullName, "session.id"), session.GetProperty("session_id").GetString());
            }

            await using var second = await TestEmulator.StartAsync(new() { DataDirectory = dir.FullName, StaticToken = "tok" });
            Assert.Equal("persisted", Encoding.UTF8.GetString(await second.DownloadAsync("/keep/a.txt")));
            var meta = await second.RpcAsync("files/get_metadata", new { path = "/keep/a.txt" });
            Assert.Equal(rev, meta.GetProperty("rev").GetString());
            await second.UploadAsync("/after.txt", "x");
            var delta = await second.RpcAsync("files/list_folder/continue", new { cursor });
            Assert.Equal("/after.txt", delta.GetProperty("entries")[0].GetProperty("path_lower").GetString());
            var sessionId = await File.ReadAllTextAsync(Path.Combine(dir.FullName, "session.id"));
            await OkAsync(await second.SendContentAsync("files/upload_session/finish", new { cursor = new { session_id = sessionId, offset = 4 }, commit = new { path = "/resumed.txt" } }, "way"u8.ToArray()));
            Assert.Equal("halfway", Encoding.UTF8.GetString(await second.DownloadAsync("/resumed.txt")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task InMemoryEmulatorsAreIndependent()
    {
        await using var a = await TestEmulator.StartAsync();
        await using var b = await TestEmulator.StartAsync();
        await a.UploadAsync("/only-in-a.txt", "a");
        await ConflictAsync(await b.PostAsync("files/get_metadata", new { path = "/only-in-a.txt" }), "path/not_found/");
    }

    [Fact]
    public async Task TlsCertificateServesHttps()
    {
        var dir = Directory.CreateTempSubdirectory("emu-tls-");
        try
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certPath = Path.Combine(dir.FullName, "cert.pem");
            var keyPath = Path.Combine(dir.FullName, "key.pem");
            await File.WriteAllTextAsync(certPath, cert.ExportCertificatePem());
            await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());
            await using var server = await EmulatorServer.StartAsync(new EmulatorOptions { TlsCertPath = certPath, TlsKeyPath = keyPath });
            Assert.Equal("https", server.BaseUri.Scheme);
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Subject == "CN=localhost" };
            using var client = new HttpClient(handler) { BaseAddress = server.BaseUri };
            client.DefaultRequestHeaders.Authorization = new("Bearer", server.StaticToken);
            await OkAsync(await client.PostAsync("2/users/get_current_account", null));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
