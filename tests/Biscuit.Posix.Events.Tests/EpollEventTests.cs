// struct epoll_event on x86-64: packed, 12 bytes, events at offset 0 and data at offset 4, little-endian.
namespace Biscuit.Posix.Events.Tests;

public class EpollEventTests
{
    [Fact]
    public void An_event_encodes_to_12_packed_little_endian_bytes()
    {
        var bytes = new byte[12];
        Assert.True(new EpollEvent(0x8000_0001, 0x0102_0304_0506_0708).TryEncode(bytes));
        Assert.Equal(new byte[] { 0x01, 0, 0, 0x80, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01 }, bytes);
    }

    [Fact]
    public void Decoding_what_was_encoded_gives_the_same_event()
    {
        var original = new EpollEvent(0x2019, ulong.MaxValue - 5);
        var bytes = new byte[EpollEvent.PackedSize];
        original.TryEncode(bytes);
        Assert.True(EpollEvent.TryDecode(bytes, out var decoded));
        Assert.Equal(original, decoded);
    }

    [Fact]
    public void A_buffer_shorter_than_12_bytes_is_refused_both_ways()
    {
        Assert.False(new EpollEvent(1, 2).TryEncode(new byte[11]));
        Assert.False(EpollEvent.TryDecode(new byte[11], out var decoded));
        Assert.Equal(default, decoded);
    }
}
