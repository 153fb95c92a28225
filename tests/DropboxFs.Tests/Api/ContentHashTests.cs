using System.Text;
using DropboxFs.Api;

namespace DropboxFs.Tests.Api;

public sealed class ContentHashTests
{
    [Theory]
    [InlineData(0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData(4 * 1024 * 1024, "c7e946d101855255d919ef0c70718633adf77d3dfb3adeeecf5d0cb4e951be58")]
    [InlineData(4 * 1024 * 1024 + 1, "14a4d47f23a30177885d9820122f17d2d3a55fe63f7f5c27b95f689e0b2accd6")]
    [InlineData(8 * 1024 * 1024, "03ae066c707c588592d9e27aa2444ca98423e0999024f1ceaa11a153790b37de")]
    public void ZeroFilledInputsMatchReferenceVectors(int length, string expected)
    {
        Assert.Equal(expected, ContentHash.Compute(new byte[length]));
    }

    [Theory]
    [InlineData("a", "bf5d3affb73efd2ec6c36ad3112dd933efed63c4e1cbffcfa88e2759c144f2d8")]
    [InlineData("hello", "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50")]
    public void TextInputsMatchReferenceVectors(string text, string expected)
    {
        Assert.Equal(expected, ContentHash.Compute(Encoding.ASCII.GetBytes(text)));
    }

    [Fact]
    public void EmptyInputIsNotTheDoubleHashMistake()
    {
        Assert.NotEqual("5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456", ContentHash.Compute([]));
    }

    [Fact]
    public async Task IncrementalAppendsInOddPiecesEqualOneShotHash()
    {
        var data = new byte[9 * 1024 * 1024 + 123];
        new Random(7).NextBytes(data);
        using var hasher = new ContentHash();
        var pos = 0;
        var step = 1;
        while (pos < data.Length)
        {
            var n = Math.Min(step, data.Length - pos);
            hasher.Append(data.AsSpan(pos, n));
            pos += n;
            step = step * 3 + 1; // crosses block borders at odd places
        }
        var incremental = hasher.Finish();
        Assert.Equal(ContentHash.Compute(data), incremental);
        Assert.Equal(incremental, await ContentHash.ComputeAsync(new MemoryStream(data)));
    }

    [Fact]
    public void BlockDigestsOfAlignedFragmentsGiveTheSameFileHash()
    {
        var data = new byte[2 * ContentHash.BlockSize + ContentHash.BlockSize + 777];
        new Random(11).NextBytes(data);
        using var hasher = new ContentHash();
        var first = data.AsSpan(0, 2 * ContentHash.BlockSize);
        var digests = new byte[3 * 32];
        Assert.Equal(ContentHash.Compute(first), ContentHash.ComputeWithBlockDigests(first, digests));
        hasher.AppendBlockDigests(digests.AsSpan(0, 64), endsWithPartialBlock: false);
        var rest = data.AsSpan(2 * ContentHash.BlockSize);
        Assert.Equal(ContentHash.Compute(rest), ContentHash.ComputeWithBlockDigests(rest, digests));
        hasher.AppendBlockDigests(digests.AsSpan(0, 64), endsWithPartialBlock: true);
        Assert.False(hasher.IsOnBlockBoundary);
        Assert.Throws<InvalidOperationException>(() => hasher.Append([1]));
        Assert.Equal(ContentHash.Compute(data), hasher.Finish());
    }
}
