// Hand-written MessagePack codecs of the socket protocol's bodies (lib/README.md "The message
// format"): each record is an array of its fields in declaration order; a reader accepts a longer
// array (a newer writer's extra fields are skipped) and refuses a shorter one, wrong MessagePack
// types, and byte strings longer than SocketLimits.MaxTransferBytes. No reflection: NativeAOT-safe.
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Net.Protocol;

/// <summary>A record of N 64-bit integers (N at most 8), as an array of N. The fields pass through a
/// stack buffer: encoding and decoding allocate nothing.</summary>
public sealed class IntegerRecordCodec<T>(string name, int fields, IntegerRecordCodec<T>.Split split, IntegerRecordCodec<T>.Make make) : IMessageCodec<T>
{
    public delegate void Split(T value, Span<long> fields);
    public delegate T Make(ReadOnlySpan<long> fields);

    private const int MaxFields = 8;
    private readonly int fields = fields is > 0 and <= MaxFields ? fields : throw new ArgumentOutOfRangeException(nameof(fields));

    public void Write(ref MessagePackWriter writer, T value)
    {
        Span<long> values = stackalloc long[MaxFields];
        split(value, values);
        writer.WriteArrayHeader(fields);
        for (int i = 0; i < fields; i++) writer.Write(values[i]);
    }

    public T Read(ref MessagePackReader reader)
    {
        int count = Codecs.ReadArrayAtLeast(ref reader, fields, name);
        Span<long> values = stackalloc long[MaxFields];
        for (int i = 0; i < fields; i++) values[i] = reader.ReadInt64();
        Codecs.SkipExtraFields(ref reader, count, fields);
        return make(values[..fields]);
    }
}

public static class SocketCodecs
{
    public static readonly IMessageCodec<SocketCreate> Create = new IntegerRecordCodec<SocketCreate>("SocketCreate", 3,
        (v, f) => { f[0] = v.Family; f[1] = v.Type; f[2] = v.Protocol; }, f => new SocketCreate(f[0], f[1], f[2]));
    public static readonly IMessageCodec<SocketArgument> Argument = new IntegerRecordCodec<SocketArgument>("SocketArgument", 2,
        (v, f) => { f[0] = v.Id; f[1] = v.Value; }, f => new SocketArgument(f[0], f[1]));
    public static readonly IMessageCodec<ReceiveRequest> ReceiveRequest = new IntegerRecordCodec<ReceiveRequest>("ReceiveRequest", 3,
        (v, f) => { f[0] = v.Id; f[1] = v.Max; f[2] = v.Flags; }, f => new ReceiveRequest(f[0], f[1], f[2]));
    public static readonly IMessageCodec<SocketAddressRequest> AddressRequest = new IntegerRecordCodec<SocketAddressRequest>("SocketAddressRequest", 3,
        (v, f) => { f[0] = v.Id; f[1] = v.Address; f[2] = v.Port; }, f => new SocketAddressRequest(f[0], f[1], f[2]));
    public static readonly IMessageCodec<AddressReply> AddressReply = new IntegerRecordCodec<AddressReply>("AddressReply", 3,
        (v, f) => { f[0] = v.Result; f[1] = v.Address; f[2] = v.Port; }, f => new AddressReply(f[0], f[1], f[2]));
    public static readonly IMessageCodec<OptionRequest> Option = new IntegerRecordCodec<OptionRequest>("OptionRequest", 4,
        (v, f) => { f[0] = v.Id; f[1] = v.Level; f[2] = v.Name; f[3] = v.Value; }, f => new OptionRequest(f[0], f[1], f[2], f[3]));
    public static readonly IMessageCodec<OptionReply> OptionReply = new IntegerRecordCodec<OptionReply>("OptionReply", 2,
        (v, f) => { f[0] = v.Result; f[1] = v.Value; }, f => new OptionReply(f[0], f[1]));
    public static readonly IMessageCodec<SendRequest> Send = new SendCodec();
    public static readonly IMessageCodec<SendSlice> SendSlice = new SendSliceCodec();
    public static readonly IMessageCodec<ReceiveReply> Receive = new ReceiveCodec();
    public static readonly IMessageCodec<EventBatch> Events = new EventBatchCodec();

    /// <summary>A byte string of at most MaxTransferBytes (nil is refused).</summary>
    public static byte[] ReadData(ref MessagePackReader reader, string what)
    {
        var sequence = reader.ReadBytes() ?? throw new MalformedMessageException($"{what}: nil where bytes are required");
        if (sequence.Length > SocketLimits.MaxTransferBytes)
            throw new MalformedMessageException($"{what}: {sequence.Length} bytes, more than the {SocketLimits.MaxTransferBytes} one message carries");
        return System.Buffers.BuffersExtensions.ToArray(sequence);
    }

    private sealed class SendCodec : IMessageCodec<SendRequest>
    {
        public void Write(ref MessagePackWriter writer, SendRequest value)
        {
            writer.WriteArrayHeader(4);
            writer.Write(value.Id);
            writer.Write(value.Data);
            writer.Write(value.Address);
            writer.Write(value.Port);
        }

        public SendRequest Read(ref MessagePackReader reader)
        {
            int count = Codecs.ReadArrayAtLeast(ref reader, 4, "SendRequest");
            long id = reader.ReadInt64();
            byte[] data = ReadData(ref reader, "SendRequest");
            long address = reader.ReadInt64(), port = reader.ReadInt64();
            Codecs.SkipExtraFields(ref reader, count, 4);
            return new SendRequest(id, data, address, port);
        }
    }

    // SendRequest's wire format, written from a slice of the client's buffer.
    private sealed class SendSliceCodec : IMessageCodec<SendSlice>
    {
        public void Write(ref MessagePackWriter writer, SendSlice value)
        {
            writer.WriteArrayHeader(4);
            writer.Write(value.Id);
            writer.Write(value.Buffer.AsSpan(0, value.Length));
            writer.Write(value.Address);
            writer.Write(value.Port);
        }

        public SendSlice Read(ref MessagePackReader reader)
        {
            var r = Send.Read(ref reader);
            return new SendSlice(r.Id, r.Data, r.Data.Length, r.Address, r.Port);
        }
    }

    private sealed class ReceiveCodec : IMessageCodec<ReceiveReply>
    {
        public void Write(ref MessagePackWriter writer, ReceiveReply value)
        {
            writer.WriteArrayHeader(5);
            writer.Write(value.Result);
            writer.Write(value.Data);
            writer.Write(value.Address);
            writer.Write(value.Port);
            writer.Write(value.ReadinessAfter);
        }

        public ReceiveReply Read(ref MessagePackReader reader)
        {
            int count = Codecs.ReadArrayAtLeast(ref reader, 4, "ReceiveReply");
            long result = reader.ReadInt64();
            byte[] data = ReadData(ref reader, "ReceiveReply");
            long address = reader.ReadInt64(), port = reader.ReadInt64();
            long readinessAfter = count >= 5 ? reader.ReadInt64() : -1;   // the fifth field is newer: optional
            Codecs.SkipExtraFields(ref reader, count, Math.Min(count, 5));
            return new ReceiveReply(result, data, address, port, readinessAfter);
        }
    }

    private sealed class EventBatchCodec : IMessageCodec<EventBatch>
    {
        // [ [id, events, id, events, ...], more ]: flat pairs keep a full batch well inside one message.
        public void Write(ref MessagePackWriter writer, EventBatch value)
        {
            writer.WriteArrayHeader(2);
            writer.WriteArrayHeader(2 * value.Events.Length);
            foreach (var e in value.Events) { writer.Write(e.Id); writer.Write(e.Events); }
            writer.Write(value.More);
        }

        public EventBatch Read(ref MessagePackReader reader)
        {
            int count = Codecs.ReadArrayAtLeast(ref reader, 2, "EventBatch");
            int flat = reader.ReadArrayHeader();
            if (flat % 2 != 0 || flat / 2 > SocketLimits.MaxEventsPerBatch)
                throw new MalformedMessageException($"EventBatch: {flat} integers is not a list of at most {SocketLimits.MaxEventsPerBatch} (id, events) pairs");
            var events = new SocketEvent[flat / 2];
            for (int i = 0; i < events.Length; i++) events[i] = new SocketEvent(reader.ReadInt64(), reader.ReadInt64());
            bool more = reader.ReadBoolean();
            Codecs.SkipExtraFields(ref reader, count, 2);
            return new EventBatch(events, more);
        }
    }
}
