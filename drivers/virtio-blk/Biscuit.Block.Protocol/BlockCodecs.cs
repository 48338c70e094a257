// Wire forms of the block protocol's bodies: each a MessagePack array of its fields in declaration
// order (lib/README.md "The message format": a longer array from a newer writer is accepted and its
// extra fields skipped; a shorter one, a wrong type or a negative number where none is valid is
// malformed and answered as such by lib's loop).
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Block.Protocol;

public static class BlockCodecs
{
    public static readonly IMessageCodec<ConnectRequest> ConnectRequest = new ConnectRequestCodec();
    public static readonly IMessageCodec<ConnectReply> ConnectReply = new ConnectReplyCodec();
    public static readonly IMessageCodec<TransferRequest> TransferRequest = new TransferRequestCodec();
    public static readonly IMessageCodec<BlockStatus> Status = new StatusCodec();
    public static readonly IMessageCodec<DiskStats> DiskStats = new DiskStatsCodec();

    private static long NonNegative(ref MessagePackReader reader, string what)
    {
        long value = reader.ReadInt64();
        if (value < 0) throw new MalformedMessageException($"{what}: negative ({value})");
        return value;
    }

    private sealed class ConnectRequestCodec : IMessageCodec<ConnectRequest>
    {
        public void Write(ref MessagePackWriter writer, ConnectRequest value)
        {
            writer.WriteArrayHeader(1);
            writer.Write(value.WindowAddress);
        }

        public ConnectRequest Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 1, "Connect");
            var value = new ConnectRequest(NonNegative(ref reader, "window address"));
            Codecs.SkipExtraFields(ref reader, n, 1);
            return value;
        }
    }

    private sealed class ConnectReplyCodec : IMessageCodec<ConnectReply>
    {
        public void Write(ref MessagePackWriter writer, ConnectReply value)
        {
            writer.WriteArrayHeader(8);
            writer.Write(value.Errno);
            writer.Write(value.Message);
            writer.Write(value.Sectors);
            writer.Write(value.SectorSize);
            writer.Write(value.Slots);
            writer.Write(value.SlotBytes);
            writer.Write(value.CanFlush);
            writer.Write(value.Generation);
        }

        public ConnectReply Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 8, "Connect reply");
            var value = new ConnectReply(reader.ReadInt32(), Codecs.ReadRequiredString(ref reader, "message"),
                NonNegative(ref reader, "sectors"), (int)NonNegative(ref reader, "sector size"), (int)NonNegative(ref reader, "slots"),
                (int)NonNegative(ref reader, "slot bytes"), reader.ReadBoolean(), reader.ReadInt64());
            Codecs.SkipExtraFields(ref reader, n, 8);
            return value;
        }
    }

    private sealed class TransferRequestCodec : IMessageCodec<TransferRequest>
    {
        public void Write(ref MessagePackWriter writer, TransferRequest value)
        {
            writer.WriteArrayHeader(3);
            writer.Write(value.Slot);
            writer.Write(value.Sector);
            writer.Write(value.Sectors);
        }

        public TransferRequest Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 3, "Read/Write");
            var value = new TransferRequest(reader.ReadInt32(), reader.ReadInt64(), reader.ReadInt32());
            Codecs.SkipExtraFields(ref reader, n, 3);
            return value;
        }
    }

    private sealed class StatusCodec : IMessageCodec<BlockStatus>
    {
        public void Write(ref MessagePackWriter writer, BlockStatus value)
        {
            writer.WriteArrayHeader(2);
            writer.Write(value.Errno);
            writer.Write(value.Message);
        }

        public BlockStatus Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 2, "status");
            var value = new BlockStatus(reader.ReadInt32(), Codecs.ReadRequiredString(ref reader, "message"));
            Codecs.SkipExtraFields(ref reader, n, 2);
            return value;
        }
    }

    private sealed class DiskStatsCodec : IMessageCodec<DiskStats>
    {
        public void Write(ref MessagePackWriter writer, DiskStats v)
        {
            writer.WriteArrayHeader(14);
            writer.Write(v.Requests); writer.Write(v.Reads); writer.Write(v.Writes); writer.Write(v.Flushes);
            writer.Write(v.BytesRead); writer.Write(v.BytesWritten); writer.Write(v.Errors); writer.Write(v.Interrupts);
            writer.Write(v.InFlight); writer.Write(v.MaxInFlight); writer.Write(v.QueueSize); writer.Write(v.Connects);
            writer.Write(v.DirectReads); writer.Write(v.Pins);
        }

        public DiskStats Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 12, "DiskStats");
            var v = new DiskStats(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(),
                reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(),
                reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt64());
            if (n >= 14) v = v with { DirectReads = reader.ReadInt64(), Pins = reader.ReadInt64() };
            Codecs.SkipExtraFields(ref reader, n, n >= 14 ? 14 : 12);
            return v;
        }
    }
}
