// sendfile(2): bytes from a file descriptor that can pread (a regular file) to any writable
// descriptor (a socket for nginx), at *offset (which is then advanced) or at the input's position
// (which is then advanced). Rules kept: the result is the bytes the output accepted — a short write
// moves the offset by what was sent only; a non-blocking output that accepts nothing is EAGAIN;
// count 0 is 0; an input that cannot pread (a pipe, a socket) is EINVAL; a bad offset pointer EFAULT.
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public static class Sendfile
{
    public const int ChunkBytes = 256 * 1024;

    public static long Call(CallContext c)
    {
        var output = c.Fds.Get(c.IntArg(0));
        var input = c.Fds.Get(c.IntArg(1));
        ulong offsetPointer = c.Arg(2);
        long count = (long)Math.Min(c.Arg(3), (ulong)UserIo.MaxRwCount);
        if (!input.CanRead || !output.CanWrite) return -Errno.EBADF;
        if (input is not (FsFile or SnapshotFile or DeviceFile)) return -Errno.EINVAL;
        if ((output.StatusFlags & O.APPEND) != 0) return -Errno.EINVAL;
        long position = offsetPointer != 0 ? (long)c.Memory.ReadU64(offsetPointer) : input.Seek(0, Seek.CUR);
        if (position < 0) return offsetPointer != 0 ? -Errno.EINVAL : position;
        if (count == 0) return 0;

        var chunk = new byte[Math.Min(count, ChunkBytes)];
        long sent = 0;
        long result = 0;
        while (sent < count)
        {
            int piece = (int)Math.Min(count - sent, chunk.Length);
            long read = input.ReadAt(chunk.AsSpan(0, piece), position + sent);
            if (read < 0) { result = read; break; }
            if (read == 0) break;   // end of the input file
            long written = WriteAll(c, output, chunk.AsSpan(0, (int)read), mayBlock: sent == 0);
            if (written < 0) { result = written; break; }
            sent += written;
            if (written < read) break;   // the output is full: a short write
        }
        if (sent > 0 || result == 0)
        {
            if (offsetPointer != 0) c.Memory.WriteU64(offsetPointer, (ulong)(position + sent));
            else input.Seek(position + sent, Seek.SET);
            return sent;
        }
        return result;
    }

    /// <summary>Writes as much of `data` as the output takes now; only the first write of a call may block.</summary>
    private static long WriteAll(CallContext c, OpenFile output, ReadOnlySpan<byte> data, bool mayBlock)
    {
        long total = 0;
        while (total < data.Length)
        {
            var rest = data[(int)total..].ToArray();
            long n = Blocking.Retry(output, Readiness.Out, c, () => output.Write(rest), nonBlocking: !(mayBlock && total == 0));
            if (n < 0) return total > 0 ? total : n;
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
