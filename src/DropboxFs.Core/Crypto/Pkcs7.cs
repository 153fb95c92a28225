namespace DropboxFs.Core.Crypto;

/// <summary>PKCS#7 padding to a 16-byte multiple: always 1–16 bytes, each holding the pad length.</summary>
internal static class Pkcs7
{
    public const int BlockSize = 16;

    public static byte[] Pad(ReadOnlySpan<byte> data)
    {
        int padding = BlockSize - (data.Length % BlockSize);
        byte[] padded = new byte[data.Length + padding];
        data.CopyTo(padded);
        padded.AsSpan(data.Length).Fill((byte)padding);
        return padded;
    }

    /// <summary>False when the length is not a positive multiple of 16 or the padding bytes disagree.</summary>
    public static bool TryUnpad(ReadOnlySpan<byte> padded, out int length)
    {
        length = 0;
        if (padded.Length == 0 || padded.Length % BlockSize != 0)
        {
            return false;
        }

        int padding = padded[^1];
        if (padding is 0 or > BlockSize)
        {
            return false;
        }

        foreach (byte b in padded[^padding..])
        {
            if (b != padding)
            {
                return false;
            }
        }

        length = padded.Length - padding;
        return true;
    }
}
