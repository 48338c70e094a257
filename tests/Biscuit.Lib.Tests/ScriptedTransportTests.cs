// The loop's handling of transport outcomes that the in-memory endpoint never produces: a reply the
// kernel refuses (e.g. a handle without the Transfer right attached by the handler), receive
// timeouts, and a response codec that throws. A scripted transport plays the kernel's part.
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using MessagePack;

namespace Biscuit.Lib.Tests;

public class ScriptedTransportTests
{
    /// <summary>Answers each Receive/ReplyReceive with the next scripted step; records the replies it was given.</summary>
    private sealed class ScriptedTransport(params Func<ScriptedTransport, KernelError>[] steps) : IServerTransport
    {
        private readonly byte[] buffer = new byte[IpcBuffer.Size];
        private int next;
        public readonly List<(ulong Label, uint Handles, byte[] Payload)> RepliesSeen = [];

        public IpcBuffer Buffer => new(buffer);

        public KernelError Receive(ulong timeoutMs) => Step();

        public KernelError ReplyReceive(ulong timeoutMs)
        {
            var b = Buffer;
            RepliesSeen.Add((b.Label, b.HandleCount, b.PayloadSpan.ToArray()));
            return Step();
        }

        private KernelError Step() => next < steps.Length ? steps[next++](this) : KernelError.BadHandle;

        public KernelError Deliver<T>(RequestType<T, long> type, T body)
        {
            var builder = new MessageBuilder();
            Assert.True(Envelope.TryEncode(builder, type.Id, type.RequestCodec, body, out _));
            var b = Buffer;
            b.SetMessage(type.Id, builder.WrittenSpan);
            return KernelError.None;
        }
    }

    private static string Text(byte[] payload, ulong label)
    {
        Assert.True(Envelope.TryOpen(payload, label, out _, out MessagePackReader body, out _, out string reason), reason);
        Assert.True(Envelope.TryReadBody(ref body, Codecs.String, out string text, out reason), reason);
        return text;
    }

    [Fact]
    public void A_reply_the_kernel_refuses_is_replaced_by_an_error_reply_and_logged()
    {
        var withHandle = new RequestType<long, long>(50, "GiveHandle", true, Codecs.Int64, Codecs.Int64);
        var log = new List<string>();
        var server = new MessageServer(new ServerOptions { Log = log.Add });
        server.Register(withHandle, (ref RequestContext context, long n) =>
        {
            context.AttachReplyHandle(new Handle(0x1007));
            return n;
        });
        var transport = new ScriptedTransport(
            t => t.Deliver(withHandle, 1),
            _ => KernelError.NotPermitted,       // the kernel refuses the reply: the handle lacks Transfer
            _ => KernelError.BadHandle);         // the error reply went; then the endpoint is gone

        Assert.Equal(KernelError.BadHandle, server.Run(transport));
        Assert.Equal(2, transport.RepliesSeen.Count);
        Assert.Equal(((ulong)ReplyStatus.Ok, 1u), (transport.RepliesSeen[0].Label, transport.RepliesSeen[0].Handles));
        var second = transport.RepliesSeen[1];
        Assert.Equal(((ulong)ReplyStatus.HandlerFailed, 0u), (second.Label, second.Handles));
        Assert.Contains("EPERM", Text(second.Payload, second.Label));
        Assert.Contains(log, l => l.Contains("reply refused"));
    }

    [Fact]
    public void Receive_timeouts_and_interruptions_do_not_stop_the_loop()
    {
        var server = new MessageServer(new ServerOptions());
        server.Register(Calc.Cheap, n => n + 1);
        var transport = new ScriptedTransport(
            _ => KernelError.TimedOut,
            _ => KernelError.Interrupted,
            _ => KernelError.WouldBlock,
            t => t.Deliver(Calc.Cheap, 41),
            _ => KernelError.BadHandle);
        Assert.Equal(KernelError.BadHandle, server.Run(transport));
        var reply = Assert.Single(transport.RepliesSeen);
        Assert.Equal((ulong)ReplyStatus.Ok, reply.Label);
    }

    [Fact]
    public void Any_other_receive_error_ends_the_loop_with_that_error()
    {
        var server = new MessageServer(new ServerOptions());
        Assert.Equal(KernelError.NotPermitted, server.Run(new ScriptedTransport(_ => KernelError.NotPermitted)));
    }

    private sealed class ThrowingCodec : IMessageCodec<long>
    {
        public void Write(ref MessagePackWriter writer, long value) => throw new InvalidOperationException("cannot encode " + value);
        public long Read(ref MessagePackReader reader) => reader.ReadInt64();
    }

    [Fact]
    public void A_response_codec_that_throws_gets_a_handler_failed_reply()
    {
        var badResponse = new RequestType<long, long>(51, "BadResponse", true, Codecs.Int64, new ThrowingCodec());
        var log = new List<string>();
        var server = new MessageServer(new ServerOptions { Log = log.Add });
        server.Register(badResponse, n => n);
        var transport = new ScriptedTransport(t => t.Deliver(badResponse, 3), _ => KernelError.BadHandle);
        Assert.Equal(KernelError.BadHandle, server.Run(transport));
        var reply = Assert.Single(transport.RepliesSeen);
        Assert.Equal((ulong)ReplyStatus.HandlerFailed, reply.Label);
        Assert.Contains("cannot encode 3", Text(reply.Payload, reply.Label));
        Assert.Single(log);
        Assert.Equal(1, server.Counters.HandlerFailed);
    }
}
