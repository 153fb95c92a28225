using System.Reflection;
using System.Runtime.InteropServices;
using DropboxFs.Fuse.Native;
using DropboxFs.Fuse.Protocol;
using DropboxFs.Tests.Infrastructure;

namespace DropboxFs.Tests.Fuse;

/// <summary>
/// Builds native/fuse_layout.c with the machine's gcc against its &lt;linux/fuse.h&gt; and compares every
/// struct size and field offset/size with the C# layouts. scripts/test.sh installs gcc and
/// linux-libc-dev, so a missing compiler is a failure, not a skip.
/// </summary>
public sealed class KernelLayoutTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fuse-layout-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task EveryKernelStructSizeAndFieldOffsetMatchesTheCSharpLayout()
    {
        var lines = await RunLayoutProbeAsync();
        var structs = lines.Where(l => l[0] == "S").ToList();
        var fields = lines.Where(l => l[0] == "F").ToList();
        Assert.True(structs.Count >= 30, $"probe printed only {structs.Count} structs");

        var mismatches = new List<string>();
        foreach (var s in structs)
        {
            var type = CSharpType(s[1]);
            if (type is null)
            {
                mismatches.Add($"{s[1]}: no C# type {ToPascal(s[1]["fuse_".Length..])}");
                continue;
            }

            int size = Marshal.SizeOf(type);
            if (size != int.Parse(s[2]))
            {
                mismatches.Add($"{s[1]}: C sizeof {s[2]}, C# {size}");
            }
        }

        foreach (var f in fields)
        {
            var type = CSharpType(f[1]);
            var field = type?.GetField(ToPascal(f[2]), BindingFlags.Public | BindingFlags.Instance);
            if (type is null || field is null)
            {
                mismatches.Add($"{f[1]}.{f[2]}: no C# field {ToPascal(f[2])}");
                continue;
            }

            long offset = Marshal.OffsetOf(type, field.Name);
            int size = Marshal.SizeOf(field.FieldType);
            if (offset != long.Parse(f[3]) || size != int.Parse(f[4]))
            {
                mismatches.Add($"{f[1]}.{f[2]}: C offset {f[3]} size {f[4]}, C# offset {offset} size {size}");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.True(fields.Count >= 120, $"probe printed only {fields.Count} fields");
    }

    [Fact]
    public async Task IoctlNumbersMatchTheKernelMacros()
    {
        var ioctls = (await RunLayoutProbeAsync()).Where(l => l[0] == "I").ToDictionary(l => l[1], l => ulong.Parse(l[2]));

        Assert.Equal(Libc.FuseDevIocClone, ioctls["FUSE_DEV_IOC_CLONE"]);
        Assert.Equal(Libc.FuseDevIocBackingOpen, ioctls["FUSE_DEV_IOC_BACKING_OPEN"]);
        Assert.Equal(Libc.FuseDevIocBackingClose, ioctls["FUSE_DEV_IOC_BACKING_CLOSE"]);
    }

    [Fact]
    public async Task TheHeaderSpeaksAtLeastTheMinorWeDeclare()
    {
        var version = (await RunLayoutProbeAsync()).Single(l => l[0] == "M");

        Assert.Equal("7", version[1]);
        Assert.True(uint.Parse(version[2]) >= KernelConstants.OurMinor, $"linux/fuse.h is 7.{version[2]}");
    }

    private async Task<List<string[]>> RunLayoutProbeAsync()
    {
        string source = Path.Combine(RepoRoot(), "native", "fuse_layout.c");
        string binary = Path.Combine(_dir, "fuse_layout");
        var (gccExit, gccOut) = await ProcessRunner.RunAsync("gcc", ["-Wall", "-Werror", "-o", binary, source], TimeSpan.FromSeconds(60));
        Assert.True(gccExit == 0, $"gcc failed (run scripts/test.sh to install gcc and linux-libc-dev):\n{gccOut}");
        var (exit, output) = await ProcessRunner.RunAsync(binary);
        Assert.Equal(0, exit);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')).ToList();
    }

    private static Type? CSharpType(string cName) =>
        typeof(InHeader).Assembly.GetType($"DropboxFs.Fuse.Protocol.{ToPascal(cName["fuse_".Length..])}");

    private static string ToPascal(string snake) =>
        string.Concat(snake.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..]));

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "DropboxFs.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("DropboxFs.sln not found above " + AppContext.BaseDirectory);
    }
}
