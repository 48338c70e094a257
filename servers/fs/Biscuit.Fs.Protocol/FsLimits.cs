// Sizes the protocol is built around. One request or reply is one IPC message: its MessagePack
// payload is at most 4032 bytes (lib/README.md, "The message format"), envelope included.
namespace Biscuit.Fs.Protocol;

public static class FsLimits
{
    /// <summary>The most file bytes one Read reply or Write request carries. The rest of the 4032-byte
    /// payload holds the envelope (3 bytes), the reply record (errno, nil message, a bin16 header: 5
    /// bytes) or the write request (array, handle, offset as MessagePack ints of at most 9 bytes each,
    /// bin16 header); 64 bytes are left for them. Larger reads and writes are looped by the client.</summary>
    public const int MaxDataBytes = 4032 - 64;

    /// <summary>The budget of encoded bytes for the entries of one ReadDirectory reply: the record
    /// around them (errno, end cookie, array headers) and the envelope fit in the 32 bytes left.</summary>
    public const int MaxDirectoryBatchBytes = 4000;

    /// <summary>Encoded size of one directory entry beyond its name's UTF-8 bytes: a 4-element array
    /// header, the inode (at most 9 bytes), the type (1), the cookie (at most 9), the name's str8/str16
    /// header (at most 3).</summary>
    public const int DirectoryEntryOverheadBytes = 1 + 9 + 1 + 9 + 3;

    /// <summary>A name (one path component) is at most 255 bytes (ext2's EXT2_NAME_LEN).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Error messages in replies are cut to this many characters, so that an error reply
    /// always fits in one message whatever the path it names.</summary>
    public const int MaxMessageChars = 512;

    /// <summary>Files the server holds open at once (all clients together); one more is ENFILE.</summary>
    public const int MaxOpenFiles = 1024;

    /// <summary>The cookie ReadDirectory returns after the last entry: a listing asked from it is empty.</summary>
    public const long EndOfDirectory = long.MaxValue;
}
