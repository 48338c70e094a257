// The Internet checksum (RFC 1071) and sequence-number arithmetic modulo 2^32 (RFC 9293 3.4).
namespace Biscuit.Net.Tests.Unit;

public sealed class ChecksumAndSequenceTests
{
    [Fact]
    public void Checksum_matches_the_worked_example_of_RFC_1071()
    {
        // RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (before complement).
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal((ushort)0x220d, InternetChecksum.Compute(data)); // ~0xddf2
    }

    [Fact]
    public void Checksum_pads_an_odd_final_byte_with_zero()
    {
        byte[] odd = [0x12, 0x34, 0x56];
        byte[] even = [0x12, 0x34, 0x56, 0x00];
        Assert.Equal(InternetChecksum.Compute(even), InternetChecksum.Compute(odd));
    }

    [Fact]
    public void Data_with_its_checksum_inserted_sums_to_zero()
    {
        var data = new byte[101];
        new Random(5).NextBytes(data);
        data[10] = data[11] = 0;
        ushort c = InternetChecksum.Compute(data);
        data[10] = (byte)(c >> 8);
        data[11] = (byte)c;
        Assert.Equal(0, InternetChecksum.Compute(data));
    }

    [Fact]
    public void A_TCP_segment_written_by_the_stack_verifies_with_its_pseudo_header()
    {
        var src = Ipv4Address.Parse("1.2.3.4");
        var dst = Ipv4Address.Parse("5.6.7.8");
        var seg = Harness.FrameBuilder.Tcp(src, dst, 1000, 80, 123, 456, TcpFlags.Ack, 500, [1, 2, 3]);
        Assert.True(TcpSegment.TryParse(seg, src, dst, out var parsed, out _));
        Assert.Equal(3, parsed.Payload.Length);
        // The same bytes claimed to come from another address fail the pseudo-header check.
        Assert.False(TcpSegment.TryParse(seg, Ipv4Address.Parse("1.2.3.5"), dst, out _, out var why));
        Assert.Equal(DropReason.TcpBadChecksum, why);
    }

    [Theory]
    [InlineData(0xFFFF_FFF0u, 0x0000_0010u)]
    [InlineData(0x7FFF_FFFFu, 0x8000_0000u)]
    [InlineData(1u, 2u)]
    public void Sequence_comparison_is_correct_across_the_2_to_the_32_wrap(uint before, uint after)
    {
        Assert.True(Seq.Lt(before, after));
        Assert.True(Seq.Le(before, after));
        Assert.True(Seq.Gt(after, before));
        Assert.False(Seq.Lt(after, before));
        Assert.Equal(after, Seq.Max(before, after));
        Assert.Equal(before, Seq.Min(before, after));
        Assert.True(Seq.InRange(after - 1, before, after));
        Assert.False(Seq.InRange(after, before, after));
    }
}
