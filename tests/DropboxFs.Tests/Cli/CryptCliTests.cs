using DropboxFs.Cli;
using DropboxFs.Core.Crypto;
using DropboxFs.Tests.Crypto;

namespace DropboxFs.Tests.Cli;

/// <summary>`get`/`put --password-file`: rclone crypt files, one at a time, through the real CLI.</summary>
[Collection(CliCollection.Name)]
public sealed class CryptCliTests(CliFixture fx) : IDisposable
{
    private readonly CliScratch _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private string PasswordFile(string password = CryptTestKeys.Password, string name = "password") =>
        _scratch.WriteLocal(name, System.Text.Encoding.UTF8.GetBytes(password + "\n"));

    [Fact]
    public async Task PutEncryptsNameAndContentAndGetDecryptsThemBack()
    {
        byte[] content = CliScratch.RandomBytes(200_001, seed: 61);
        string local = _scratch.WriteLocal("report.bin", content);
        string password = PasswordFile();

        var put = await CliProcess.RunAsync(fx.Args("put", local, "/docs/report.bin", "--password-file", password, "--crypt-root", _scratch.Remote, "--log-level", "debug"));
        Assert.True(put.ExitCode == 0, put.ToString());

        var names = new NameCipher(CryptTestKeys.Default, NameEncryptionMode.Standard, encryptDirectoryNames: true);
        string stored = $"{_scratch.Remote}/{names.EncryptDirectoryName("docs")}/{names.EncryptFileName("report.bin")}";
        using var cipher = new MemoryStream();
        await fx.Client.DownloadAsync(stored, cipher);
        Assert.Equal(CryptLayout.EncryptedSize(content.Length), cipher.Length);
        cipher.Position = 0;
        using var decrypted = new MemoryStream();
        await new DecryptingStream(cipher, CryptTestKeys.Default).CopyToAsync(decrypted);
        Assert.Equal(content, decrypted.ToArray());

        string back = Path.Combine(_scratch.Local, "back.bin");
        var get = await CliProcess.RunAsync(fx.Args("get", "/docs/report.bin", back, "--password-file", password, "--crypt-root", _scratch.Remote, "--log-level", "debug"));
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal(content, await File.ReadAllBytesAsync(back));
        Assert.DoesNotContain(CryptTestKeys.Password, put.ToString() + get.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("standard", null, "standard", "true")]
    [InlineData("off-salted", CryptTestKeys.Salt, "off", "true")]
    [InlineData("obfuscate-plaindirs", null, "obfuscate", "false")]
    public async Task GetDecryptsFilesThatRcloneWrote(string folder, string? salt, string mode, string directoryNames)
    {
        string root = Path.Combine(CryptFixtures.Root, folder);
        foreach (string file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
            await fx.Client.UploadAsync($"{_scratch.Remote}/{relative}", new MemoryStream(await File.ReadAllBytesAsync(file)));
        }

        var args = new List<string> { "--password-file", PasswordFile(), "--crypt-root", _scratch.Remote, "--filename-encryption", mode, "--directory-name-encryption", directoryNames };
        if (salt is not null)
        {
            args.AddRange(["--salt-file", PasswordFile(salt, "salt")]);
        }

        foreach (string plain in new[] { "hello.txt", "block-plus-1.bin", "Folder One/Sub dir/notes.md", "héllo 日本.txt", "empty.txt" })
        {
            string target = Path.Combine(_scratch.Local, "out-" + Path.GetFileName(plain));
            var get = await CliProcess.RunAsync(fx.Args(["get", "/" + plain, target, .. args]));
            Assert.True(get.ExitCode == 0, get.ToString());
            Assert.Equal(CryptFixtures.ReadPlain(plain), await File.ReadAllBytesAsync(target));
        }
    }

    [Fact]
    public async Task AWrongPasswordFailsWithDecryptFailedAndWritesNothing()
    {
        // Names off, so the stored name is found and the content check is what fails.
        string local = _scratch.WriteLocal("secret.txt", CliScratch.RandomBytes(70_000, seed: 62));
        var put = await CliProcess.RunAsync(fx.Args("put", local, "/secret.txt", "--password-file", PasswordFile(), "--crypt-root", _scratch.Remote, "--filename-encryption", "off"));
        Assert.True(put.ExitCode == 0, put.ToString());
        string outDir = Directory.CreateDirectory(Path.Combine(_scratch.Local, "out")).FullName;

        var get = await CliProcess.RunAsync(fx.Args("get", "/secret.txt", Path.Combine(outDir, "secret.txt"),
            "--password-file", PasswordFile("not the password", "wrong"), "--crypt-root", _scratch.Remote, "--filename-encryption", "off"));

        Assert.Equal((int)ExitCode.DecryptFailed, get.ExitCode);
        Assert.Contains("wrong password", get.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDir));
    }

    [Fact]
    public async Task PutWithAWrongPasswordIntoAnEncryptedFolderUploadsNothing()
    {
        string root = Path.Combine(CryptFixtures.Root, "standard");
        foreach (string file in Directory.EnumerateFiles(root))
        {
            await fx.Client.UploadAsync($"{_scratch.Remote}/{Path.GetFileName(file)}", new MemoryStream(await File.ReadAllBytesAsync(file)));
        }

        string local = _scratch.WriteLocal("new.txt", "new"u8.ToArray());
        var wrong = await CliProcess.RunAsync(fx.Args("put", local, "/new.txt", "--password-file", PasswordFile("correct horse battery stapler", "wrong"), "--crypt-root", _scratch.Remote));
        Assert.Equal((int)ExitCode.DecryptFailed, wrong.ExitCode);
        Assert.Contains("nothing was uploaded", wrong.Stderr, StringComparison.Ordinal);
        int before = Directory.EnumerateFiles(root).Count();
        Assert.Equal(before, (await fx.Client.ListFolderAsync(_scratch.Remote)).Entries.Count);

        var right = await CliProcess.RunAsync(fx.Args("put", local, "/new.txt", "--password-file", PasswordFile(), "--crypt-root", _scratch.Remote));
        Assert.True(right.ExitCode == 0, right.ToString());
    }

    [Fact]
    public async Task APasswordIsNeverTakenFromTheCommandLineAndAnEmptyFileIsRefused()
    {
        var empty = await CliProcess.RunAsync(fx.Args("get", "/x", Path.Combine(_scratch.Local, "x"), "--password-file", _scratch.WriteLocal("empty", "\n"u8.ToArray())));
        Assert.Equal((int)ExitCode.Usage, empty.ExitCode);
        Assert.Contains("is empty", empty.Stderr, StringComparison.Ordinal);

        var missing = await CliProcess.RunAsync(fx.Args("put", _scratch.WriteLocal("a", [1]), "/a", "--password-file", Path.Combine(_scratch.Local, "nope")));
        Assert.Equal((int)ExitCode.LocalIo, missing.ExitCode);

        var naming = await CliProcess.RunAsync(fx.Args("get", "/x", Path.Combine(_scratch.Local, "x"), "--filename-encryption", "off"));
        Assert.Equal((int)ExitCode.Usage, naming.ExitCode);
        Assert.Contains("--password-file", naming.Stderr, StringComparison.Ordinal);

        var inline = await CliProcess.RunAsync(fx.Args("get", "/x", Path.Combine(_scratch.Local, "x"), "--password", "hunter2"));
        Assert.Equal((int)ExitCode.Usage, inline.ExitCode);
    }

    [Fact]
    public async Task ANameTooLongOnceEncryptedIsRefusedBeforeUploading()
    {
        string local = _scratch.WriteLocal("a", [1]);
        var put = await CliProcess.RunAsync(fx.Args("put", local, "/" + new string('n', 144), "--password-file", PasswordFile(), "--crypt-root", _scratch.Remote));
        Assert.Equal((int)ExitCode.Usage, put.ExitCode);
        Assert.Contains("too long", put.Stderr, StringComparison.Ordinal);
    }
}
