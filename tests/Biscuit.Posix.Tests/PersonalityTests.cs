// The forwarded-call path: the message layout the kernel sends, the worker loop (one reply per
// message, malformed messages answered), unknown calls (ENOSYS, one log line per process and number),
// unknown badges (ESRCH), and a failure inside posix (EIO and a log line, never a dead server).
using Biscuit.Posix.Events;
using static Biscuit.Posix.Tests.PosixHarness;

namespace Biscuit.Posix.Tests;

public sealed class PersonalityTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    /// <summary>A scripted endpoint: hands out the queued messages, records the replies, then reports EBADF.</summary>
    private sealed class ScriptedEndpoint(params (ulong Label, ulong Badge, byte[] Payload)[] messages) : IForwardedCallEndpoint
    {
        private int next;
        public readonly List<long> Replies = [];

        public long Receive(out ulong label, out ulong badge, out ReadOnlySpan<byte> payload)
        {
            label = badge = 0;
            payload = default;
            if (next == messages.Length) return -Errno.EBADF;
            (label, badge, var bytes) = messages[next++];
            payload = bytes;
            return 0;
        }

        public long ReplyReceive(long result, out ulong label, out ulong badge, out ReadOnlySpan<byte> payload)
        {
            Replies.Add(result);
            return Receive(out label, out badge, out payload);
        }

        public bool CallerStillWaits() => true;
    }

    private static (ulong, ulong, byte[]) Message(int number, ulong badge, params ulong[] args) =>
        (ForwardedCall.LabelTag | (uint)number, badge, ForwardedCall.EncodeRequest(number, args, 77, 5));

    [Fact]
    public void The_kernel_message_decodes_to_number_arguments_process_and_thread()
    {
        var payload = ForwardedCall.EncodeRequest(LinuxCall.Openat, [1, 2, 3, 4, 5, 6], 77, 5);
        Assert.True(ForwardedCall.TryDecode(0x4C4E5800_00000101, 9, payload, out var call, out _));
        Assert.Equal(LinuxCall.Openat, call.Number);
        Assert.Equal([1ul, 2, 3, 4, 5, 6], call.Arguments);
        Assert.Equal((9ul, 77ul, 5ul), (call.Badge, call.KernelProcessId, call.ThreadId));
    }

    [Theory]
    [InlineData(0x1234_0000_0000_0101ul, 80, "not a forwarded Linux call")]
    [InlineData(0x4C4E5800_00000101ul, 72, "payload of 72 bytes")]
    [InlineData(0x4C4E5800_00000102ul, 80, "label says call 258")]
    public void Malformed_messages_are_refused_with_a_reason(ulong label, int length, string reason)
    {
        var payload = ForwardedCall.EncodeRequest(LinuxCall.Openat, [], 1, 1).AsSpan(0, length).ToArray();
        Assert.False(ForwardedCall.TryDecode(label, 1, payload, out _, out string problem));
        Assert.Contains(reason, problem);
    }

    [Fact]
    public void The_worker_answers_every_message_once_and_stops_when_the_endpoint_is_gone()
    {
        ulong pid = (ulong)h.Process.Pid;
        var endpoint = new ScriptedEndpoint(
            Message(LinuxCall.Getuid, pid),
            (0x1234, pid, new byte[80]),
            Message(LinuxCall.Dup, pid, 99),
            Message(LinuxCall.Getppid, pid));
        var worker = new ForwardedCallWorker(h.Posix, endpoint);
        Assert.Equal(-Errno.EBADF, worker.Run());
        Assert.Equal([0L, -Errno.EINVAL, -Errno.EBADF, 0L], endpoint.Replies);
        Assert.Single(h.System.LogLines, l => l.Contains("malformed"));
    }

    [Fact]
    public void An_unknown_call_is_ENOSYS_with_one_log_line_per_process_and_number()
    {
        Assert.Equal(-Errno.ENOSYS, h.Call(999));
        Assert.Equal(-Errno.ENOSYS, h.Call(999));
        Assert.Equal(-Errno.ENOSYS, h.Call(998));
        var other = h.NewProcess();
        Assert.Equal(-Errno.ENOSYS, h.CallAs(other, 999));
        Assert.Equal(3, h.System.LogLines.Count(l => l.Contains("ENOSYS")));
        Assert.Single(h.System.LogLines, l => l.Contains($"pid {h.Process.Pid} called unknown syscall 999"));
    }

    [Fact]
    public void A_call_from_an_unknown_badge_is_ESRCH()
    {
        Assert.Equal(-Errno.ESRCH, h.Posix.Handle(12345, LinuxCall.Getuid, [], 1, NeverCancelled.Instance));
        Assert.Equal(-Errno.ESRCH, h.Posix.Handle(0, LinuxCall.Getuid, [], 1, NeverCancelled.Instance));
    }

    private sealed class BrokenFileSystem : IFileSystem
    {
        public long Open(string path, FsOpenFlags flags, uint mode, out FsNode node, out FsAttributes attributes) => throw new InvalidOperationException("fs client bug");
        public long Read(FsNode node, long offset, Span<byte> into) => throw new InvalidOperationException();
        public long Write(FsNode node, long offset, ReadOnlySpan<byte> from) => throw new InvalidOperationException();
        public long Truncate(FsNode node, long size) => throw new InvalidOperationException();
        public long Attributes(FsNode node, out FsAttributes attributes) => throw new InvalidOperationException();
        public long Fsync(FsNode node) => throw new InvalidOperationException();
        public long Close(FsNode node) => throw new InvalidOperationException();
        public long ReadDirectory(FsNode node, long cookie, List<FsDirEntry> output, int max, out long next) => throw new InvalidOperationException();
        public long Stat(string path, bool followLastLink, out FsAttributes attributes) => throw new InvalidOperationException();
        public long Mkdir(string path, uint mode) => throw new InvalidOperationException();
        public long Unlink(string path) => throw new InvalidOperationException();
        public long Rmdir(string path) => throw new InvalidOperationException();
        public long Rename(string from, string to) => throw new InvalidOperationException();
        public long Link(string existing, string newPath) => throw new InvalidOperationException();
        public long Symlink(string target, string linkPath) => throw new InvalidOperationException();
        public long ReadLink(string path, out string target) => throw new InvalidOperationException();
        public long Chmod(string path, uint mode) => throw new InvalidOperationException();
        public long Chown(string path, uint? uid, uint? gid, bool followLastLink) => throw new InvalidOperationException();
    }

    [Fact]
    public void A_failure_inside_posix_is_EIO_and_one_log_line_and_posix_goes_on()
    {
        var posix = new Personality(h.Kernel, new BrokenFileSystem(), h.Net, h.System);
        h.Kernel.Create("app", out var kp);
        h.Kernel.Map(kp, Scratch, 4096, 3, Mman.MAP_FIXED | Mman.MAP_ANONYMOUS | Mman.MAP_PRIVATE);
        h.Kernel.Write(kp, Scratch, "/x\0"u8);
        var p = new PosixProcess(posix.Processes.NextPid(), 0, kp, new FdTable(), h.Kernel);
        posix.Processes.Add(p);
        Assert.Equal(-Errno.EIO, posix.Handle((ulong)p.Pid, LinuxCall.Openat, [U(At.FDCWD), Scratch, 0, 0], 1, NeverCancelled.Instance));
        Assert.Single(h.System.LogLines, l => l.Contains("openat") && l.Contains("fs client bug"));
        Assert.Equal(0, posix.Handle((ulong)p.Pid, LinuxCall.Getuid, [], 1, NeverCancelled.Instance));
    }
}

public sealed class WorkerCancellationTests : IDisposable
{
    private readonly PosixHarness h = new();
    public void Dispose() => h.Dispose();

    /// <summary>One message whose caller has already given up (ipc_reply_pending answers 0), then EBADF;
    /// a first reply refused with ESRCH is followed by a fresh receive.</summary>
    private sealed class GaveUpEndpoint((ulong, ulong, byte[]) message) : IForwardedCallEndpoint
    {
        private int received;
        public readonly List<long> Replies = [];

        public long Receive(out ulong label, out ulong badge, out ReadOnlySpan<byte> payload)
        {
            label = badge = 0;
            payload = default;
            if (received++ > 0) return -Errno.EBADF;
            (label, badge, var bytes) = message;
            payload = bytes;
            return 0;
        }

        public long ReplyReceive(long result, out ulong label, out ulong badge, out ReadOnlySpan<byte> payload)
        {
            Replies.Add(result);
            label = badge = 0;
            payload = default;
            return -Errno.ESRCH;   // the kernel discards the late reply
        }

        public bool CallerStillWaits() => false;
    }

    [Fact]
    public void A_blocking_call_whose_caller_gave_up_ends_with_EINTR_and_the_worker_receives_again()
    {
        ulong fds = h.Alloc(8);
        h.Call(LinuxCall.Pipe2, fds, 0);
        var message = (ForwardedCall.LabelTag | LinuxCall.Read, (ulong)h.Process.Pid,
            ForwardedCall.EncodeRequest(LinuxCall.Read, [(ulong)h.GetInt(fds), h.Alloc(8), 8], 1, 1));
        var endpoint = new GaveUpEndpoint(message);
        Assert.Equal(-Errno.EBADF, new ForwardedCallWorker(h.Posix, endpoint).Run());
        Assert.Equal([(long)-Errno.EINTR], endpoint.Replies);
    }
}
