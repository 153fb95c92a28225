using DropboxFs.Cli;
using DropboxFs.Cli.Commands;
using DropboxFs.Cli.Infrastructure;
using DropboxFs.Tests.Cli;

namespace DropboxFs.Tests.Revisions;

/// <summary>`dropboxfs mount --at`: what the flag accepts, and clear refusals before anything is mounted.</summary>
public class MountAtOptionTests
{
    private static readonly TimeProvider Clock = new FixedClock(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("2026-11-01T00:00:00Z", "2026-11-01T00:00:00+00:00")]
    [InlineData("2026-11-01", "2026-11-01T00:00:00+00:00")]
    [InlineData("2026-11-01T02:30:00+02:00", "2026-11-01T00:30:00+00:00")]
    public void AtAcceptsUtcTimesDatesAndOffsets(string text, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), MountCommand.ParseAt(text, Clock));
    }

    [Fact]
    public void NoAtMeansTheLiveTree() => Assert.Null(MountCommand.ParseAt(null, Clock));

    [Theory]
    [InlineData("yesterday", "must be a time such as 2026-11-01T00:00:00Z")]
    [InlineData("2027-01-01T00:00:00Z", "is in the future")]
    public void ABadOrFutureTimeIsAUsageErrorThatSaysWhatToGive(string text, string message)
    {
        var e = Assert.Throws<CliException>(() => MountCommand.ParseAt(text, Clock));
        Assert.Equal(ExitCode.Usage, e.Code);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public async Task TheMountVerbRefusesABadAtBeforeMountingAnything()
    {
        var dir = Directory.CreateTempSubdirectory("dropboxfs-at-").FullName;
        try
        {
            var result = await CliProcess.RunAsync(["mount", dir, "--at", "not-a-time", "--endpoint", "http://127.0.0.1:9/", "--token", "t"]);

            Assert.True(result.ExitCode == (int)ExitCode.Usage, result.ToString());
            Assert.Contains("--at must be a time such as", result.Stderr);
            Assert.DoesNotContain(dir, File.ReadAllText("/proc/mounts"));
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
