namespace DropboxFs.Core.Crypto;

/// <summary>
/// RFC 4648 "base32hex" (alphabet 0-9a-v) in lower case without '=' padding, as rclone writes
/// encrypted names. Decoding accepts either case, because Dropbox compares names case-insensitively
/// and may hand them back in another case.
/// </summary>
internal static class Base32Hex
{
    private const string Alphabet = "0123456789abcdefghijklmnopqrstuv";

    /// <summary>Characters needed for <paramref name="byteCount"/> bytes: 8 bits each, 5 per character, rounded up.</summary>
    public static int EncodedLength(int byteCount) => ((byteCount * 8) + 4) / 5;

    public static string Encode(ReadOnlySpan<byte> data)
    {
        return string.Create(EncodedLength(data.Length), data.ToArray(), static (chars, bytes) =>
        {
            int buffer = 0;
            int bits = 0;
            int n = 0;
            foreach (byte b in bytes)
            {
                buffer = ((buffer << 8) | b) & 0xFFFF; // at most 4 pending bits + 8 new
                bits += 8;
                while (bits >= 5)
                {
                    bits -= 5;
                    chars[n++] = Alphabet[(buffer >> bits) & 31];
                }
            }

            if (bits > 0)
            {
                chars[n] = Alphabet[(buffer << (5 - bits)) & 31];
            }
        });
    }

    /// <summary>False for a character outside the alphabet, a '=', an impossible length (1, 3 or 6 mod 8) or non-zero trailing bits.</summary>
    public static bool TryDecode(string text, out byte[] data)
    {
        data = [];
        if (text.Length % 8 is 1 or 3 or 6)
        {
            return false;
        }

        byte[] result = new byte[text.Length * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        foreach (char c in text)
        {
            int value = DecodeChar(c);
            if (value < 0)
            {
                return false;
            }

            buffer = ((buffer << 5) | value) & 0xFFF; // 12 bits are enough: at most 7 pending + 5 new
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                result[n++] = (byte)(buffer >> bits);
            }
        }

        // Canonical form only: leftover bits must be zero, so each byte string has exactly one
        // spelling (up to letter case, which Dropbox folds anyway) and two stored names cannot
        // decrypt to the same plaintext name.
        if ((buffer & ((1 << bits) - 1)) != 0)
        {
            return false;
        }

        data = result;
        return true;
    }

    private static int DecodeChar(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'v' => c - 'a' + 10,
        >= 'A' and <= 'V' => c - 'A' + 10,
        _ => -1,
    };
}
