using System.Globalization;
using System.Text;

namespace DropboxFs.Core.Crypto;

// rclone's "obfuscate" mode: "<checksum>.<rotated name>". The checksum is the sum of the name's
// code points mod 256; the rotation distance is that checksum plus the sum of the 32 name-key
// bytes. Digits rotate within 0-9, ASCII letters within A-Za-z (52), Latin-1 within U+00A0-U+00FF
// (96), everything from U+0100 on within its aligned 256-code-point page; '!' is doubled, and a
// code point whose rotation is not a valid scalar value is kept, prefixed by '!'.
public sealed partial class NameCipher
{
    private const char QuoteChar = '!';

    private string Obfuscate(string name)
    {
        // rclone prefixes invalid UTF-8 with "!." unrotated; a .NET string's counterpart is a lone surrogate.
        if (!IsValidUtf16(name))
        {
            return "!." + name;
        }

        int checksum = 0;
        foreach (Rune rune in name.EnumerateRunes())
        {
            checksum += rune.Value;
        }

        checksum %= 256;
        int dir = checksum + _nameKeySum;
        var result = new StringBuilder(name.Length + 5);
        result.Append(checksum.ToString(CultureInfo.InvariantCulture)).Append('.');
        foreach (Rune rune in name.EnumerateRunes())
        {
            int r = rune.Value;
            if (r == QuoteChar)
            {
                result.Append(QuoteChar).Append(QuoteChar);
            }
            else if (r is >= '0' and <= '9')
            {
                result.Append((char)('0' + ((r - '0' + (dir % 9) + 1) % 10)));
            }
            else if (r is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z'))
            {
                int pos = (LetterIndex(r) + (dir % 25) + 1) % 52;
                result.Append(LetterAt(pos));
            }
            else if (r is >= 0xA0 and <= 0xFF)
            {
                result.Append((char)(0xA0 + ((r - 0xA0 + (dir % 95) + 1) % 96)));
            }
            else if (r >= 0x100)
            {
                int page = r - (r % 256);
                int rotated = page + ((r - page + (dir % 127) + 1) % 256);
                if (Rune.IsValid(rotated))
                {
                    result.Append(new Rune(rotated).ToString());
                }
                else
                {
                    result.Append(QuoteChar).Append(rune.ToString());
                }
            }
            else
            {
                result.Append(rune.ToString());
            }
        }

        return result.ToString();
    }

    private bool TryDeobfuscate(string encrypted, out string name)
    {
        name = "";
        int dot = encrypted.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return false;
        }

        string prefix = encrypted[..dot];
        string body = encrypted[(dot + 1)..];
        if (prefix == "!")
        {
            name = body;
            return IsPlausibleName(name);
        }

        // rclone only writes 0-255 in plain digits; anything else is a foreign name.
        if (prefix.Length is 0 or > 3 || !prefix.All(char.IsAsciiDigit)
            || !int.TryParse(prefix, NumberStyles.None, CultureInfo.InvariantCulture, out int checksum) || checksum > 255)
        {
            return false;
        }

        int dir = checksum + _nameKeySum;
        var result = new StringBuilder(body.Length);
        bool quoted = false;
        int sum = 0;
        foreach (Rune rune in body.EnumerateRunes())
        {
            int r = rune.Value;
            int plain;
            if (quoted)
            {
                plain = r;
                quoted = false;
            }
            else if (r == QuoteChar)
            {
                quoted = true;
                continue;
            }
            else if (r is >= '0' and <= '9')
            {
                plain = '0' + ((r - '0' - (dir % 9) - 1 + 10) % 10);
            }
            else if (r is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z'))
            {
                plain = LetterAt((LetterIndex(r) - (dir % 25) - 1 + 52) % 52);
            }
            else if (r is >= 0xA0 and <= 0xFF)
            {
                plain = 0xA0 + ((r - 0xA0 - (dir % 95) - 1 + 96) % 96);
            }
            else if (r >= 0x100)
            {
                int page = r - (r % 256);
                plain = page + ((r - page - (dir % 127) - 1 + 256) % 256);
            }
            else
            {
                plain = r;
            }

            if (!Rune.IsValid(plain))
            {
                return false;
            }

            sum += plain;
            result.Append(new Rune(plain).ToString());
        }

        name = result.ToString();
        // Stricter than rclone, which ignores the checksum: a mismatch means a foreign name or a
        // wrong password (the rotation depends on the name key), and the mount must not show garbage.
        return !quoted && sum % 256 == checksum && IsPlausibleName(name);
    }

    // Position in the 52-letter alphabet A-Z then a-z.
    private static int LetterIndex(int r) => r <= 'Z' ? r - 'A' : r - 'a' + 26;

    private static char LetterAt(int pos) => (char)(pos < 26 ? 'A' + pos : 'a' + pos - 26);

    private static bool IsValidUtf16(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }
}
