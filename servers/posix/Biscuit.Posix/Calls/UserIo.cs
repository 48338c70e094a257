// Moving data between a description and the application's buffers, in chunks of at most 1 MiB
// (posix's heap holds one chunk per call, whatever the count asked). Rules kept (read(2), write(2)):
// a count above MAX_RW_COUNT is clipped; a read blocks only until some bytes came; a blocking write
// goes on until everything is written (pipe(7)), a non-blocking one stops at the first short write;
// a later error, -EAGAIN or a cancelled wait ends the call with the bytes already moved; a bad
// buffer is EFAULT. The chunk is rented from the shared pool and given back at the end of the call,
// so a socket's or a file's data path allocates nothing per call on posix's heap.
using System.Buffers;
using Biscuit.Posix.Events;

namespace Biscuit.Posix;

public static class UserIo
{
    public const int ChunkBytes = 1 << 20;
    public const long MaxRwCount = 0x7ffff000;

    public delegate long ReadAttempt(Span<byte> into);
    public delegate long WriteAttempt(ReadOnlySpan<byte> from);

    public static long ReadToUser(CallContext call, OpenFile file, ulong buffer, ulong count, ReadAttempt attempt, bool dontWait = false)
    {
        long wanted = (long)Math.Min(count, (ulong)MaxRwCount);
        int chunkBytes = (int)Math.Min(wanted, ChunkBytes);
        var chunk = ArrayPool<byte>.Shared.Rent(chunkBytes);
        try
        {
            long total = 0;
            while (total < wanted || wanted == 0)
            {
                int piece = (int)Math.Min(wanted - total, chunkBytes);
                long n = Blocking.Retry(file, Readiness.In, call, () => attempt(chunk.AsSpan(0, piece)), nonBlocking: dontWait || total > 0);
                if (n < 0) return total > 0 ? total : n;
                call.Memory.Write(buffer + (ulong)total, chunk.AsSpan(0, (int)n));
                total += n;
                if (n < piece || wanted == 0) break;
            }
            return total;
        }
        finally { ArrayPool<byte>.Shared.Return(chunk); }
    }

    public static long WriteFromUser(CallContext call, OpenFile file, ulong buffer, ulong count, WriteAttempt attempt, bool dontWait = false)
    {
        long wanted = (long)Math.Min(count, (ulong)MaxRwCount);
        int chunkBytes = (int)Math.Min(wanted, ChunkBytes);
        var chunk = ArrayPool<byte>.Shared.Rent(chunkBytes);
        try { return WriteChunks(call, file, buffer, wanted, chunk, chunkBytes, attempt, !dontWait && !file.NonBlocking); }
        finally { ArrayPool<byte>.Shared.Return(chunk); }
    }

    private static long WriteChunks(CallContext call, OpenFile file, ulong buffer, long wanted, byte[] chunk, int chunkBytes, WriteAttempt attempt, bool blocking)
    {
        long total = 0;
        while (total < wanted || wanted == 0)
        {
            int piece = (int)Math.Min(wanted - total, chunkBytes);
            call.Memory.Read(buffer + (ulong)total, chunk.AsSpan(0, piece));
            int written = 0;
            do
            {
                int from = written;
                long n = Blocking.Retry(file, Readiness.Out, call, () => attempt(chunk.AsSpan(from, piece - from)), nonBlocking: !blocking && total + written > 0);
                if (n < 0) return total + written > 0 ? total + written : n;
                if (n == 0 && piece > 0) return total + written;
                written += (int)n;
            } while (blocking && written < piece);   // a blocking write(2) goes on until all is written
            total += written;
            if (written < piece || wanted == 0) break;
        }
        return total;
    }

    /// <summary>The (base, length) pairs of a struct iovec array (16 bytes each); EINVAL past
    /// IOV_MAX (1024) or a total above SSIZE_MAX.</summary>
    public static List<(ulong Base, ulong Length)> ReadIovecs(UserMemory memory, ulong address, ulong count)
    {
        if (count > 1024) throw new SyscallFailure(Errno.EINVAL);
        var bytes = memory.Read(address, (int)count * 16);
        var list = new List<(ulong, ulong)>();
        ulong total = 0;
        for (int i = 0; i < (int)count; i++)
        {
            ulong b = BitConverter.ToUInt64(bytes, i * 16), l = BitConverter.ToUInt64(bytes, i * 16 + 8);
            if (l > long.MaxValue || (total += l) > long.MaxValue) throw new SyscallFailure(Errno.EINVAL);
            list.Add((b, l));
        }
        return list;
    }

    /// <summary>Gathers the iovecs' first `limit` bytes into one array (a larger writev is a short write).</summary>
    public static byte[] Gather(UserMemory memory, List<(ulong Base, ulong Length)> iovecs, long limit = 4 * ChunkBytes)
    {
        long total = Math.Min(iovecs.Sum(v => (long)v.Length), limit);
        var data = new byte[total];
        long at = 0;
        foreach (var (b, l) in iovecs)
        {
            int n = (int)Math.Min((long)l, total - at);
            if (n == 0) continue;
            memory.Read(b, data.AsSpan((int)at, n));
            at += n;
        }
        return data;
    }

    /// <summary>Scatters `data` over the iovecs in order.</summary>
    public static void Scatter(UserMemory memory, List<(ulong Base, ulong Length)> iovecs, ReadOnlySpan<byte> data)
    {
        int at = 0;
        foreach (var (b, l) in iovecs)
        {
            if (at >= data.Length) break;
            int n = (int)Math.Min((long)l, data.Length - at);
            memory.Write(b, data.Slice(at, n));
            at += n;
        }
    }
}
