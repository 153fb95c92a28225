using DropboxFs.Fuse;
using Microsoft.Extensions.Logging.Abstractions;

namespace DropboxFs.Tests.Infrastructure;

/// <summary>
/// A per-test temp folder with an empty mountpoint in it. Dispose detaches anything still mounted
/// there, deletes the folder, and then fails the test if a mount had been left behind.
/// </summary>
public sealed class MountScratch : IDisposable
{
    public MountScratch(string prefix)
    {
        Dir = Directory.CreateTempSubdirectory(prefix).FullName;
        MountPoint = Path.Combine(Dir, "mnt");
        Directory.CreateDirectory(MountPoint);
    }

    public string Dir { get; }

    public string MountPoint { get; }

    public void Dispose()
    {
        bool leftBehind = FuseMount.IsMountPoint(MountPoint);
        if (leftBehind)
        {
            FuseMount.DetachMount(MountPoint, NullLogger.Instance);
        }

        Directory.Delete(Dir, recursive: true);
        Assert.False(leftBehind, $"a mount was left behind at {MountPoint}");
    }
}
