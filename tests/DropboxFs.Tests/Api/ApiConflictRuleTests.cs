using System.Text;
using DropboxFs.Api;

namespace DropboxFs.Tests.Api;

/// <summary>One test per upload conflict rule (issue 3 §1).</summary>
public sealed class ApiConflictRuleTests
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public async Task Rule1IdenticalContentIsANoOpThatSendsNoUpload()
    {
        await using var h = await ApiHarness.StartAsync();
        var first = await h.Client.UploadAsync("/r1.txt", new MemoryStream(Bytes("same bytes")));
        var uploadsBefore = h.Server.Control.RequestCount("files/upload");
        var second = await h.Client.UploadAsync("/r1.txt", new MemoryStream(Bytes("same bytes")));
        Assert.Equal(first.Rev, second.Rev);
        Assert.Equal(uploadsBefore, h.Server.Control.RequestCount("files/upload"));
    }

    [Fact]
    public async Task Rule2IfRevisionMatchingUpdatesInPlace()
    {
        await using var h = await ApiHarness.StartAsync();
        var v1 = await h.Client.UploadAsync("/r2.txt", new MemoryStream(Bytes("v1")));
        var v2 = await h.Client.UploadAsync("/r2.txt", new MemoryStream(Bytes("v2")), new UploadOptions { IfRevision = v1.Rev });
        Assert.Equal("/r2.txt", v2.PathLower);
        Assert.NotEqual(v1.Rev, v2.Rev);
        Assert.Equal(Bytes("v2"), await h.GetAsync("/r2.txt"));
    }

    [Fact]
    public async Task Rule2IfRevisionMismatchWithoutRenameFailsAsConflict()
    {
        await using var h = await ApiHarness.StartAsync();
        var v1 = await h.Client.UploadAsync("/r2b.txt", new MemoryStream(Bytes("v1")));
        await h.PutAsync("/r2b.txt", Bytes("someone else"));
        var ex = await Assert.ThrowsAsync<DropboxApiException>(() =>
            h.Client.UploadAsync("/r2b.txt", new MemoryStream(Bytes("mine")), new UploadOptions { IfRevision = v1.Rev }));
        Assert.True(ex.IsConflict, ex.TagPath);
        Assert.Equal(Bytes("someone else"), await h.GetAsync("/r2b.txt"));
    }

    [Fact]
    public async Task Rule2IfRevisionMismatchWithRenameIfExistsMakesAConflictedCopy()
    {
        await using var h = await ApiHarness.StartAsync();
        var v1 = await h.Client.UploadAsync("/r2c.txt", new MemoryStream(Bytes("v1")));
        await h.PutAsync("/r2c.txt", Bytes("theirs"));
        var copy = await h.Client.UploadAsync("/r2c.txt", new MemoryStream(Bytes("mine")),
            new UploadOptions { IfRevision = v1.Rev, RenameIfExists = true });
        Assert.NotEqual("/r2c.txt", copy.PathLower);
        Assert.Equal(Bytes("theirs"), await h.GetAsync("/r2c.txt"));
        Assert.Equal(Bytes("mine"), await h.GetAsync(copy.PathLower!));
    }

    [Fact]
    public async Task Rule3RenameIfExistsAutorenamesNextToTheExistingFile()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.Client.UploadAsync("/r3.txt", new MemoryStream(Bytes("one")));
        var renamed = await h.Client.UploadAsync("/r3.txt", new MemoryStream(Bytes("two")), new UploadOptions { RenameIfExists = true });
        Assert.NotEqual("/r3.txt", renamed.PathLower);
        Assert.StartsWith("r3", renamed.Name);
        Assert.Equal(Bytes("one"), await h.GetAsync("/r3.txt"));
    }

    [Fact]
    public async Task Rule4OverwriteReplacesTheFile()
    {
        await using var h = await ApiHarness.StartAsync();
        var v1 = await h.Client.UploadAsync("/r4.txt", new MemoryStream(Bytes("one")));
        var v2 = await h.Client.UploadAsync("/r4.txt", new MemoryStream(Bytes("two")), new UploadOptions { Overwrite = true });
        Assert.Equal(v1.Id, v2.Id);
        Assert.NotEqual(v1.Rev, v2.Rev);
        Assert.Equal(Bytes("two"), await h.GetAsync("/r4.txt"));
    }

    [Fact]
    public async Task Rule5PlainAddFailsOnConflict()
    {
        await using var h = await ApiHarness.StartAsync();
        await h.Client.UploadAsync("/r5.txt", new MemoryStream(Bytes("one")));
        var ex = await Assert.ThrowsAsync<DropboxApiException>(() => h.Client.UploadAsync("/r5.txt", new MemoryStream(Bytes("two"))));
        Assert.True(ex.IsConflict, ex.TagPath);
        Assert.Equal(409, ex.StatusCode);
    }

    [Fact]
    public async Task ClientModifiedIsSentInWholeSecondsAndMuteIsAccepted()
    {
        await using var h = await ApiHarness.StartAsync();
        var when = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero);
        var meta = await h.Client.UploadAsync("/cm.txt", new MemoryStream(Bytes("x")), new UploadOptions { ClientModified = when, Mute = true });
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero), meta.ClientModified);
    }
}
