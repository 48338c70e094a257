// Direct reads (issue 5 item 3): the disk DMAs straight into pages the client lends the driver, so
// fs's data window — which fs also grants to posix — is filled by the device with no copy in fs.
//
// Once per connection the client grants its pages (writable, at most MaxPages) into the driver at
// DirectWindow.Address with grant_create naming the driver's endpoint (Syscalls.md 0x852: a client
// lends pages to the server it calls; they may land only where the driver has nothing), then sends
// PinDirect(pages): the driver pins them (dma_pin, 0x86D: they outlive the client's death or
// revocation while the device may still write them) and learns their physical addresses. ReadDirect
// then reads sectors into the byte range [Offset, Offset + Sectors × 512) of the lent pages.
//
// Rules the driver keeps (each an error reply, never a crash): no pin → ENOTCONN (a restarted driver
// has none: the client lends and pins again); an Offset not a multiple of 512 → EINVAL; a range
// outside the pinned pages, a count of 0 or more than MaxTransferBytes → EINVAL; sectors off the
// disk → ENXIO; a pin the kernel refused → its errno. Both requests are idempotent (a second pin of
// the same pages replaces the first; a read twice is a read once), so lib's client resends them.
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Block.Protocol;

public static class DirectWindow
{
    /// <summary>Where, in the driver, the client grants the pages it lends (1 MiB, nothing else there).</summary>
    public const long Address = 0x7400_0000;
    public const int MaxPages = 256;
    public const int PageBytes = 4096;
    /// <summary>The most one ReadDirect moves (a data-window slot).</summary>
    public const int MaxTransferBytes = 64 * 1024;
}

public static class DirectContracts
{
    public static readonly RequestType<PinRequest, BlockStatus> PinDirect =
        new(22, "PinDirect", idempotent: true, DirectCodecs.Pin, BlockCodecs.Status);
    public static readonly RequestType<DirectRead, BlockStatus> ReadDirect =
        new(23, "ReadDirect", idempotent: true, DirectCodecs.Read, BlockCodecs.Status);
}

/// <summary>PinDirect: the client has granted `Pages` pages at DirectWindow.Address in the driver.</summary>
public readonly record struct PinRequest(int Pages);

/// <summary>ReadDirect: `Sectors` sectors from `Sector` into the lent pages at byte `Offset`.</summary>
public readonly record struct DirectRead(long Offset, long Sector, int Sectors);

public static class DirectCodecs
{
    public static readonly IMessageCodec<PinRequest> Pin = new PinCodec();
    public static readonly IMessageCodec<DirectRead> Read = new ReadCodec();

    private sealed class PinCodec : IMessageCodec<PinRequest>
    {
        public void Write(ref MessagePackWriter writer, PinRequest value)
        {
            writer.WriteArrayHeader(1);
            writer.Write(value.Pages);
        }

        public PinRequest Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 1, "PinDirect");
            var value = new PinRequest(reader.ReadInt32());
            Codecs.SkipExtraFields(ref reader, n, 1);
            return value;
        }
    }

    private sealed class ReadCodec : IMessageCodec<DirectRead>
    {
        public void Write(ref MessagePackWriter writer, DirectRead value)
        {
            writer.WriteArrayHeader(3);
            writer.Write(value.Offset);
            writer.Write(value.Sector);
            writer.Write(value.Sectors);
        }

        public DirectRead Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 3, "ReadDirect");
            var value = new DirectRead(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32());
            Codecs.SkipExtraFields(ref reader, n, 3);
            return value;
        }
    }
}
