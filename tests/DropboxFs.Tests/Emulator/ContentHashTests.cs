using DropboxFs.Emulator.Model;

namespace DropboxFs.Tests.Emulator;

public class ContentHashTests
{
    [Theory]
    [InlineData(0, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData(4 * 1024 * 1024, 0, "c7e946d101855255d919ef0c70718633adf77d3dfb3adeeecf5d0cb4e951be58")]
    [InlineData(4 * 1024 * 1024 + 1, 0, "14a4d47f23a30177885d9820122f17d2d3a55fe63f7f5c27b95f689e0b2accd6")]
    [InlineData(8 * 1024 * 1024, 0, "03ae066c707c588592d9e27aa2444ca98423e0999024f1ceaa11a153790b37de")]
    public void ZeroFilledInputsMatchTheReferenceVectors(int length, byte fill, string expected)
    {
        var data = new byte[length];
        Array.Fill(data, fill);
        Assert.Equal(expected, ContentHasher.Compute(data));
    }

    [Fact]
    public void OddChunkingGivesTheSameHash()
    {
        var data = new byte[9_000_001];
        new Random(1).NextBytes(data);
        using var h = new ContentHasher();
        for (var i = 0; i < data.Length; i += 777_777)
        {
            h.Append(data.AsSpan(i, Math.Min(777_777, data.Length - i)));
        }

        Assert.Equal(ContentHasher.Compute(data), h.Finish());
        Assert.Equal("9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50", ContentHasher.Compute("hello"u8));
    }
}
