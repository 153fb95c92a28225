using System.Net.Sockets;
using System.Text;

namespace DropboxFs.Cli.Commands;

/// <summary>The client side of <see cref="MountStatusServer"/>: one request line, then the answer line by line.</summary>
internal static class StatusSocket
{
    /// <summary>A status answer is one document built in memory: 10 s is plenty. A drain has no limit.</summary>
    private static readonly TimeSpan s_statusTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Sends <paramref name="request"/> and hands every answer line to <paramref name="onLine"/>;
    /// false when no mount listens there (no socket, or a mount that died without removing it).</summary>
    public static async Task<bool> RequestAsync(string path, string request, Action<string> onLine, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (request != MountStatusServer.DrainRequest)
        {
            timeout.CancelAfter(s_statusTimeout);
        }

        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), timeout.Token);
            await socket.SendAsync(Encoding.ASCII.GetBytes(request + "\n"), SocketFlags.None, timeout.Token);
            using var stream = new NetworkStream(socket, ownsSocket: false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Length > 0)
                {
                    onLine(line);
                }
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
