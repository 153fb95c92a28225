using System.Security.Cryptography;
using System.Text;

namespace DropboxFs.Api;

/// <summary>PKCE S256 pair: the verifier stays local, the challenge goes to /oauth2/authorize.</summary>
/// <param name="Verifier">128 characters of [A-Za-z0-9] (as the Python SDK builds it).</param>
/// <param name="Challenge">BASE64URL-NOPAD(SHA256(ascii(verifier))), 43 characters.</param>
public sealed record Pkce(string Verifier, string Challenge)
{
    /// <summary>Creates a fresh random pair.</summary>
    public static Pkce Create()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var verifier = RandomNumberGenerator.GetString(alphabet, 128);
        return new Pkce(verifier, ChallengeOf(verifier));
    }

    /// <summary>S256 challenge of a verifier.</summary>
    public static string ChallengeOf(string verifier) =>
        Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    internal static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Hides the verifier.</summary>
    public override string ToString() => $"Pkce {{ Challenge = {Challenge} }}";
}
