// The forwarded-call worker tells its meter when each call arrives and when its result is ready,
// before the reply leaves (posix-server counts the GC pause that fell inside each call this way):
// one Started and one Finished per message, malformed ones included, none for a failed receive.
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class ServedCallMeterTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    /// <summary>Records every event, the meter's and the endpoint's, in the order they happened.</summary>
    private sealed class Recorder : IServedCallMeter, IForwardedCallEndpoint
    {
        private readonly Queue<(long Status, ulong Label, ulong Badge, byte[] Payload)> script;
        public readonly List<string> Events = [];

        public Recorder(params (long Status, ulong Label, ulong Badge, byte[] Payload)[] steps) => script = new(steps);

        public void Started() => Events.Add("started");
        public void Finished() => Events.Add("finished");

        public long Receive(out ulong label, out ulong badge, out ReadOnlySpan<byte> payload)
        {
            label = badge = 0;
            payload = default;
            if (script.Count == 0) { Events.Add("gone"); return -Errno.EBADF; }
            var (status, l, b, bytes) = script.Dequeue();
            (label, badge) = (l, b);
            payload = bytes;
            Events.Add(status < 0 ? $"receive failed {status}" : "received");
            return status;
        }

        public long ReplyReceive(long result, out ulong label, out ulong badge, out ReadOnlySpan<byte> payload)
        {
            Events.Add($"reply {result}");
            return Receive(out label, out badge, out payload);
        }

        public bool CallerStillWaits() => true;
    }

    [Fact]
    public void Each_call_is_started_and_finished_once_before_its_reply_and_a_failed_receive_is_not_a_call()
    {
        ulong pid = (ulong)h.Process.Pid;
        var recorder = new Recorder(
            (0, ForwardedCall.LabelTag | (uint)LinuxCall.Getuid, pid, ForwardedCall.EncodeRequest(LinuxCall.Getuid, [], 1, 1)),
            (-Errno.EINTR, 0, 0, []),
            (0, 0x1234, pid, new byte[80]));
        Assert.Equal(-Errno.EBADF, new ForwardedCallWorker(h.Posix, recorder, recorder).Run());
        Assert.Equal(["received", "started", "finished", "reply 0", "receive failed -4", "received", "started", "finished", $"reply {-Errno.EINVAL}", "gone"],
            recorder.Events);
    }
}
