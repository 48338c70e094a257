// Wire forms of the NIC protocol's bodies: each a MessagePack array of its fields in declaration
// order (lib/README.md "The message format": a longer array from a newer writer is accepted and its
// extra fields skipped; a shorter one, a wrong type, a negative number where none is valid, or a
// slot list longer than NicLimits.MaxSlotsPerMessage is malformed and answered as such by lib's loop).
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Nic.Protocol;

public static class NicCodecs
{
    public static readonly IMessageCodec<AttachRequest> AttachRequest = new AttachRequestCodec();
    public static readonly IMessageCodec<AttachReply> AttachReply = new AttachReplyCodec();
    public static readonly IMessageCodec<SessionRequest> SessionRequest = new SessionRequestCodec();
    public static readonly IMessageCodec<NicStatus> Status = new StatusCodec();
    public static readonly IMessageCodec<ReceiveRequest> ReceiveRequest = new ReceiveRequestCodec();
    public static readonly IMessageCodec<ReceiveReply> ReceiveReply = new ReceiveReplyCodec();
    public static readonly IMessageCodec<TransmitRequest> TransmitRequest = new TransmitRequestCodec();
    public static readonly IMessageCodec<TransmitReply> TransmitReply = new TransmitReplyCodec();
    public static readonly IMessageCodec<NicStats> NicStats = new NicStatsCodec();

    private static long NonNegative(ref MessagePackReader reader, string what)
    {
        long value = reader.ReadInt64();
        if (value < 0) throw new MalformedMessageException($"{what}: negative ({value})");
        return value;
    }

    private static void WriteInts(ref MessagePackWriter writer, int[] values)
    {
        writer.WriteArrayHeader(values.Length);
        foreach (int v in values) writer.Write(v);
    }

    // A list of small integers (slots or lengths): at most MaxSlotsPerMessage, each an int32.
    private static int[] ReadInts(ref MessagePackReader reader, string what)
    {
        int count = reader.ReadArrayHeader();
        if (count > NicLimits.MaxSlotsPerMessage)
            throw new MalformedMessageException($"{what}: {count} entries, at most {NicLimits.MaxSlotsPerMessage}");
        if (count == 0) return [];
        var values = new int[count];
        for (int i = 0; i < count; i++) values[i] = reader.ReadInt32();
        return values;
    }

    private sealed class AttachRequestCodec : IMessageCodec<AttachRequest>
    {
        public void Write(ref MessagePackWriter writer, AttachRequest value)
        {
            writer.WriteArrayHeader(1);
            writer.Write(value.WindowAddress);
        }

        public AttachRequest Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 1, "Attach");
            var value = new AttachRequest(NonNegative(ref reader, "window address"));
            Codecs.SkipExtraFields(ref reader, n, 1);
            return value;
        }
    }

    private sealed class AttachReplyCodec : IMessageCodec<AttachReply>
    {
        public void Write(ref MessagePackWriter writer, AttachReply v)
        {
            writer.WriteArrayHeader(11);
            writer.Write(v.Errno); writer.Write(v.Message); writer.Write(v.Mac); writer.Write(v.Mtu);
            writer.Write(v.RxSlots); writer.Write(v.TxSlots); writer.Write(v.SlotBytes); writer.Write(v.Instance);
            writer.Write(v.Session); writer.Write(v.LinkUp);
            WriteInts(ref writer, v.TxBusy);
        }

        public AttachReply Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 11, "Attach reply");
            var v = new AttachReply(reader.ReadInt32(), Codecs.ReadRequiredString(ref reader, "message"), reader.ReadInt64(),
                (int)NonNegative(ref reader, "mtu"), (int)NonNegative(ref reader, "rx slots"), (int)NonNegative(ref reader, "tx slots"),
                (int)NonNegative(ref reader, "slot bytes"), reader.ReadInt64(), reader.ReadInt64(), reader.ReadBoolean(),
                ReadInts(ref reader, "tx busy"));
            Codecs.SkipExtraFields(ref reader, n, 11);
            return v;
        }
    }

    private sealed class SessionRequestCodec : IMessageCodec<SessionRequest>
    {
        public void Write(ref MessagePackWriter writer, SessionRequest value)
        {
            writer.WriteArrayHeader(1);
            writer.Write(value.Session);
        }

        public SessionRequest Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 1, "Hold");
            var value = new SessionRequest(reader.ReadInt64());
            Codecs.SkipExtraFields(ref reader, n, 1);
            return value;
        }
    }

    private sealed class StatusCodec : IMessageCodec<NicStatus>
    {
        public void Write(ref MessagePackWriter writer, NicStatus value)
        {
            writer.WriteArrayHeader(2);
            writer.Write(value.Errno);
            writer.Write(value.Message);
        }

        public NicStatus Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 2, "status");
            var value = new NicStatus(reader.ReadInt32(), Codecs.ReadRequiredString(ref reader, "message"));
            Codecs.SkipExtraFields(ref reader, n, 2);
            return value;
        }
    }

    private sealed class ReceiveRequestCodec : IMessageCodec<ReceiveRequest>
    {
        public void Write(ref MessagePackWriter writer, ReceiveRequest value)
        {
            writer.WriteArrayHeader(2);
            writer.Write(value.Session);
            WriteInts(ref writer, value.Returned);
        }

        public ReceiveRequest Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 2, "Receive");
            var value = new ReceiveRequest(reader.ReadInt64(), ReadInts(ref reader, "returned slots"));
            Codecs.SkipExtraFields(ref reader, n, 2);
            return value;
        }
    }

    private sealed class ReceiveReplyCodec : IMessageCodec<ReceiveReply>
    {
        public void Write(ref MessagePackWriter writer, ReceiveReply v)
        {
            writer.WriteArrayHeader(5);
            writer.Write(v.Errno); writer.Write(v.Message);
            WriteInts(ref writer, v.Slots); WriteInts(ref writer, v.Lengths);
            writer.Write(v.More);
        }

        public ReceiveReply Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 5, "Receive reply");
            var v = new ReceiveReply(reader.ReadInt32(), Codecs.ReadRequiredString(ref reader, "message"),
                ReadInts(ref reader, "slots"), ReadInts(ref reader, "lengths"), reader.ReadBoolean());
            Codecs.SkipExtraFields(ref reader, n, 5);
            if (v.Slots.Length != v.Lengths.Length) throw new MalformedMessageException($"Receive reply: {v.Slots.Length} slots but {v.Lengths.Length} lengths");
            return v;
        }
    }

    private sealed class TransmitRequestCodec : IMessageCodec<TransmitRequest>
    {
        public void Write(ref MessagePackWriter writer, TransmitRequest v)
        {
            writer.WriteArrayHeader(3);
            writer.Write(v.Session);
            WriteInts(ref writer, v.Slots); WriteInts(ref writer, v.Lengths);
        }

        public TransmitRequest Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 3, "Transmit");
            var v = new TransmitRequest(reader.ReadInt64(), ReadInts(ref reader, "slots"), ReadInts(ref reader, "lengths"));
            Codecs.SkipExtraFields(ref reader, n, 3);
            if (v.Slots.Length != v.Lengths.Length) throw new MalformedMessageException($"Transmit: {v.Slots.Length} slots but {v.Lengths.Length} lengths");
            return v;
        }
    }

    private sealed class TransmitReplyCodec : IMessageCodec<TransmitReply>
    {
        public void Write(ref MessagePackWriter writer, TransmitReply v)
        {
            writer.WriteArrayHeader(4);
            writer.Write(v.Errno); writer.Write(v.Message); writer.Write(v.Accepted);
            WriteInts(ref writer, v.Completed);
        }

        public TransmitReply Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 4, "Transmit reply");
            var v = new TransmitReply(reader.ReadInt32(), Codecs.ReadRequiredString(ref reader, "message"),
                (int)NonNegative(ref reader, "accepted"), ReadInts(ref reader, "completed"));
            Codecs.SkipExtraFields(ref reader, n, 4);
            return v;
        }
    }

    private sealed class NicStatsCodec : IMessageCodec<NicStats>
    {
        public void Write(ref MessagePackWriter writer, NicStats v)
        {
            writer.WriteArrayHeader(11);
            writer.Write(v.FramesIn); writer.Write(v.BytesIn); writer.Write(v.FramesOut); writer.Write(v.BytesOut);
            writer.Write(v.RxDropped); writer.Write(v.Interrupts); writer.Write(v.Attaches);
            writer.Write(v.BadRequests); writer.Write(v.ClientSignals); writer.Write(v.RxSlotsWithDevice); writer.Write(v.RxSlotsWithClient);
        }

        public NicStats Read(ref MessagePackReader reader)
        {
            int n = Codecs.ReadArrayAtLeast(ref reader, 11, "NicStats");
            var v = new NicStats(reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(),
                reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64(),
                reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32());
            Codecs.SkipExtraFields(ref reader, n, 11);
            return v;
        }
    }
}
