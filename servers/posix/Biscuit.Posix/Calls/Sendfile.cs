// sendfile(2): bytes from a file descriptor that can pread (a regular file) to any writable
// descriptor (a socket for nginx), at *offset (which is then advanced) or at the input's position
// (which is then advanced). Rules kept: the result is the bytes the output accepted — a short write
// moves the offset by what was sent only; a non-blocking output that accepts nothing is EAGAIN;
// count 0 is 0; an input that cannot pread (a pipe, a socket) is EINVAL; a bad offset pointer EFAULT.
// To a socket the file's bytes are read straight into where net reads them (SocketFile.WriteFilled:
// on Biscuit a slot of net's data window, so fs's window to net's is the one copy posix makes); to
// anything else through a pooled chunk.
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
        if (output is SocketFile socket) return ToSocket(c, socket, input, offsetPointer, position, count);

        var chunk = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(count, ChunkBytes));
        try { return ThroughChunk(c, output, input, offsetPointer, position, count, chunk); }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(chunk); }
    }

    private static long ThroughChunk(CallContext c, OpenFile output, OpenFile input, ulong offsetPointer, long position, long count, byte[] chunk)
    {
        long sent = 0;
        long result = 0;
        while (sent < count)
        {
            int piece = (int)Math.Min(count - sent, Math.Min(chunk.Length, ChunkBytes));
            long read = input.ReadAt(chunk.AsSpan(0, piece), position + sent);
            if (read < 0) { result = read; break; }
            if (read == 0) break;   // end of the input file
            long written = WriteAll(c, output, chunk, (int)read, mayBlock: sent == 0);
            if (written < 0) { result = written; break; }
            sent += written;
            if (written < read) break;   // the output is full: a short write
        }
        return Finish(c, input, offsetPointer, position, sent, result);
    }

    // Each piece is read into the socket's send buffer by WriteFilled; only the first may block. A
    // piece net took only part of is not read again: the next one starts after what was sent.
    private static long ToSocket(CallContext c, SocketFile socket, OpenFile input, ulong offsetPointer, long position, long count)
    {
        long sent = 0;
        long result = 0;
        while (sent < count)
        {
            int piece = (int)Math.Min(count - sent, ChunkBytes);
            long at = position + sent;
            long n = Blocking.Retry(socket, Readiness.Out, c, () => socket.WriteFilled(piece, into => input.ReadAt(into, at)), nonBlocking: sent > 0);
            if (n < 0) { result = n; break; }
            if (n == 0) break;   // end of the input file
            sent += n;
        }
        if (result == -Errno.EAGAIN && sent > 0) result = 0;
        return Finish(c, input, offsetPointer, position, sent, result);
    }

    private static long Finish(CallContext c, OpenFile input, ulong offsetPointer, long position, long sent, long result)
    {
        if (sent > 0 || result == 0)
        {
            if (offsetPointer != 0) c.Memory.WriteU64(offsetPointer, (ulong)(position + sent));
            else input.Seek(position + sent, Seek.SET);
            return sent;
        }
        return result;
    }

    /// <summary>Writes as much of `data` as the output takes now; only the first write of a call may block.</summary>
    private static long WriteAll(CallContext c, OpenFile output, byte[] chunk, int length, bool mayBlock)
    {
        long total = 0;
        while (total < length)
        {
            int from = (int)total;
            long n = Blocking.Retry(output, Readiness.Out, c, () => output.Write(chunk.AsSpan(from, length - from)), nonBlocking: !(mayBlock && total == 0));
            if (n < 0) return total > 0 ? total : n;
            if (n == 0) break;
            total += n;
        }
        return total;
    }
}
