// The ring buffers under TCP: growth on demand without losing bytes (also bytes written past the
// readable end, where out-of-order data lives), wrap-around of the ring, and the capacity bound.
namespace Biscuit.Net.Tests.Unit;

public sealed class ByteRingTests
{
    [Fact]
    public void Bytes_survive_growth_and_wrap_around()
    {
        var ring = new ByteRing(100_000);
        var expected = new List<byte>();
        var random = new Random(11);
        int next = 0;
        for (int round = 0; round < 500; round++)
        {
            var chunk = new byte[random.Next(0, 3000)];
            for (int i = 0; i < chunk.Length; i++) chunk[i] = (byte)(next + i);
            int taken = ring.Append(chunk);
            next += taken;
            expected.AddRange(chunk.AsSpan(0, taken).ToArray());
            var outBuf = new byte[random.Next(0, 2500)];
            int read = ring.Read(outBuf);
            Assert.Equal(expected.GetRange(0, read), outBuf.AsSpan(0, read).ToArray());
            expected.RemoveRange(0, read);
            Assert.True(ring.Count <= ring.Capacity);
            Assert.True(ring.StorageBytes < 2 * ring.Capacity);
        }
    }

    [Fact]
    public void Append_stops_at_the_capacity_and_empty_writes_are_harmless()
    {
        var ring = new ByteRing(5000);
        ring.Append(ReadOnlySpan<byte>.Empty);
        ring.WriteAt(0, ReadOnlySpan<byte>.Empty);
        Assert.Equal(5000, ring.Append(new byte[8000]));
        Assert.Equal(0, ring.Append(new byte[1]));
        Assert.Equal(0, ring.Free);
    }

    [Fact]
    public void Out_of_order_bytes_written_past_the_end_survive_growth()
    {
        var q = new TcpReceiveQueue(1 << 20, 8);
        var data = new byte[200_000];
        new Random(2).NextBytes(data);
        Assert.Equal(0, q.Store(100_000, data.AsSpan(100_000)));     // far ahead: forces the ring to grow
        Assert.Equal(200_000, q.Store(0, data.AsSpan(0, 100_000)));  // the gap fills: everything is readable
        var got = new byte[200_000];
        Assert.Equal(200_000, q.Read(got));
        Assert.Equal(data, got);
    }
}
