// The kernel's console input ring (Devices/ConsoleRing.cs): bytes come out in the order they went
// in, across the wrap-around; a full ring drops new bytes and counts them, never overwriting; a
// peek that is not discarded leaves the bytes for the next read (console_read's EFAULT path).
using Biscuit.Kernel.Devices;

namespace Biscuit.Kernel.Tests;

public sealed unsafe class ConsoleRingTests
{
    private static byte[] Take(ref ConsoleRing ring, int max)
    {
        var into = new byte[max];
        int n;
        fixed (byte* p = into) n = ring.Peek(p, max);
        ring.Discard(n);
        return into[..n];
    }

    [Fact]
    public void Bytes_come_out_oldest_first_and_an_empty_ring_gives_none()
    {
        var ring = new ConsoleRing();
        Assert.Empty(Take(ref ring, 8));
        foreach (byte b in "ls\r"u8) Assert.True(ring.Put(b));
        Assert.Equal("ls"u8.ToArray(), Take(ref ring, 2));
        Assert.Equal("\r"u8.ToArray(), Take(ref ring, 8));
        Assert.Equal(0, ring.Count);
        Assert.Equal(3ul, ring.Received);
    }

    [Fact]
    public void Order_survives_the_wrap_around_of_the_storage()
    {
        var ring = new ConsoleRing();
        for (int round = 0; round < 3; round++)
        {
            for (int i = 0; i < ConsoleRing.Capacity - 100; i++) ring.Put((byte)(i + round));
            byte[] back = Take(ref ring, ConsoleRing.Capacity);
            Assert.Equal(ConsoleRing.Capacity - 100, back.Length);
            for (int i = 0; i < back.Length; i++) Assert.Equal((byte)(i + round), back[i]);
        }
        Assert.Equal(0ul, ring.Dropped);
    }

    [Fact]
    public void A_full_ring_drops_the_new_bytes_and_counts_them_keeping_the_old_ones()
    {
        var ring = new ConsoleRing();
        for (int i = 0; i < ConsoleRing.Capacity; i++) Assert.True(ring.Put((byte)'a'));
        Assert.False(ring.Put((byte)'z'));
        Assert.False(ring.Put((byte)'z'));
        Assert.Equal(2ul, ring.Dropped);
        Assert.Equal(ConsoleRing.Capacity, ring.Count);
        Assert.DoesNotContain((byte)'z', Take(ref ring, ConsoleRing.Capacity));
    }

    [Fact]
    public void A_peek_without_discard_leaves_the_bytes_for_the_next_read()
    {
        var ring = new ConsoleRing();
        foreach (byte b in "abc"u8) ring.Put(b);
        var into = new byte[3];
        fixed (byte* p = into) Assert.Equal(3, ring.Peek(p, 3));
        Assert.Equal(3, ring.Count);
        Assert.Equal("abc"u8.ToArray(), Take(ref ring, 3));
    }

    [Fact]
    public void Discarding_more_than_is_held_or_a_negative_count_is_harmless()
    {
        var ring = new ConsoleRing();
        ring.Put(1);
        ring.Discard(-5);
        Assert.Equal(1, ring.Count);
        ring.Discard(100);
        Assert.Equal(0, ring.Count);
        ring.Put(2);
        Assert.Equal(new byte[] { 2 }, Take(ref ring, 4));
    }
}
