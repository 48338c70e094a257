// Bad input on the wire: a request the server cannot decode gets an error reply (never a crash,
// never silence) and the server goes on serving.
using Biscuit.Fs.Protocol;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Kernel;
using Biscuit.Lib.Messages;
using MessagePack;

namespace Biscuit.Fs.Client.Tests;

public class MalformedRequestTests
{
    // Sends `payload` with `label` as one raw IPC call and returns the reply's status.
    private static ReplyStatus RawCall(FsHarness h, ulong label, byte[] payload)
    {
        var transport = h.Endpoint.CreateClient();
        transport.Buffer.SetMessage(label, payload);
        Assert.Equal(KernelError.None, transport.Call(10_000));
        var reply = transport.Buffer;
        Assert.True(Envelope.TryOpen(reply.PayloadSpan.ToArray(), reply.Label, out uint code, out _, out _, out string why), why);
        return (ReplyStatus)code;
    }

    private delegate void BodyWriter(ref MessagePackWriter writer);

    private static byte[] Envelope3(uint code, BodyWriter body)
    {
        var builder = new MessageBuilder();
        var w = new MessagePackWriter(builder);
        w.WriteArrayHeader(3);
        w.Write(Envelope.Version);
        w.Write(code);
        body(ref w);
        w.Flush();
        return builder.WrittenSpan.ToArray();
    }

    [Fact]
    public void Bytes_that_are_not_MessagePack_get_a_Malformed_reply_and_the_server_keeps_serving()
    {
        using var h = new FsHarness();
        Assert.Equal(ReplyStatus.Malformed, RawCall(h, FsContracts.Stat.Id, [0xC1, 0xFF, 0x00]));
        FsAssert.Ok(h.Client.Stat("/"));
    }

    [Fact]
    public void A_request_body_with_too_few_fields_is_Malformed()
    {
        using var h = new FsHarness();
        var payload = Envelope3(FsContracts.Open.Id, (ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write("/x"); w.Write(0); });
        Assert.Equal(ReplyStatus.Malformed, RawCall(h, FsContracts.Open.Id, payload));
        FsAssert.Errno(Errno.ENOENT, h.Client.Stat("/x"));
    }

    [Fact]
    public void A_field_of_the_wrong_type_is_Malformed()
    {
        using var h = new FsHarness();
        var payload = Envelope3(FsContracts.Read.Id, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write("not a handle"); w.Write(0); w.Write(10); });
        Assert.Equal(ReplyStatus.Malformed, RawCall(h, FsContracts.Read.Id, payload));
        var nilPath = Envelope3(FsContracts.Unlink.Id, (ref MessagePackWriter w) => w.WriteNil());
        Assert.Equal(ReplyStatus.Malformed, RawCall(h, FsContracts.Unlink.Id, nilPath));
    }

    [Fact]
    public void A_negative_read_count_is_Malformed()
    {
        using var h = new FsHarness();
        var payload = Envelope3(FsContracts.Read.Id, (ref MessagePackWriter w) => { w.WriteArrayHeader(3); w.Write(1UL); w.Write(0); w.Write(-1); });
        Assert.Equal(ReplyStatus.Malformed, RawCall(h, FsContracts.Read.Id, payload));
    }

    [Fact]
    public void An_unknown_request_type_is_UnknownRequest_and_the_client_would_see_EOPNOTSUPP()
    {
        using var h = new FsHarness();
        var payload = Envelope3(99, (ref MessagePackWriter w) => w.WriteNil());
        Assert.Equal(ReplyStatus.UnknownRequest, RawCall(h, 99, payload));
        FsAssert.Ok(h.Client.Sync());
    }

    [Fact]
    public void Nothing_the_server_logged_came_from_bad_input()
    {
        using var h = new FsHarness();
        RawCall(h, FsContracts.Stat.Id, [0x93, 0x01]);
        FsAssert.Ok(h.Client.Stat("/"));
        Assert.Empty(h.Log);
    }
}
