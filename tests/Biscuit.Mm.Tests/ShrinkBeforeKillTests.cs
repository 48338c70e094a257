// Specification of mm's out-of-memory order (issue 8 item 5, Biscuit's arbiter): below the mark mm
// first asks every server it was given to Shrink, looks at memory again, and kills the largest
// application only if memory is still low; every step is logged with the numbers, and MmStats counts
// the rounds and what they gave back. Servers are fakes here (a shrink frees frames in the fake
// kernel), and a real lib server over the in-memory transport for the client side.
using Biscuit.Lib.Client;
using Biscuit.Lib.Ipc;
using Biscuit.Lib.Messages;
using Biscuit.Lib.Server;
using Biscuit.Mm;
using static Biscuit.Mm.Tests.FakeKernel;

namespace Biscuit.Mm.Tests;

public class ShrinkBeforeKillTests
{
    private readonly FakeKernel kernel = new();
    private readonly List<string> log = [];
    private readonly List<string> asked = [];

    /// <summary>A server that, asked to shrink, gives `frames` back to the fake kernel (or fails).</summary>
    private sealed class FakeServer(ShrinkBeforeKillTests test, string name, long frames, bool answers = true) : IShrinkTarget
    {
        public string Name => name;

        public ShrinkAnswer Ask()
        {
            test.asked.Add(name);
            if (!answers) return new ShrinkAnswer(name, null, "TransportFailed: ETIMEDOUT");
            test.kernel.FreeFrames += frames;
            return new ShrinkAnswer(name, new ShrinkReport(frames * 4096, 1, 0, 9_000_000, 6_000_000, 12_000_000, 8_000_000), null);
        }
    }

    private MemoryMonitor Monitor(long gap = 1, params IShrinkTarget[] servers) =>
        new(kernel, new OomPolicy(1000), log.Add, new ServerShrinker(servers), gap);

    [Fact]
    public void Below_the_mark_the_servers_are_asked_in_order_before_the_largest_application_is_killed()
    {
        kernel.FreeFrames = 500;
        kernel.Processes = [Init(1), Server(2, "fs", 9000), Application(10, "hog", 7000)];
        var m = Monitor(1, new FakeServer(this, "fs", 100), new FakeServer(this, "net", 50));
        Assert.Equal(10, m.Tick()!.Id);
        Assert.Equal(["fs", "net"], asked);
        Assert.Equal(
        [
            "mm: low on memory: 500 frames free, below 1000 of 65536: asking 2 servers to shrink",
            "mm: shrink: fs dropped 409600 cache bytes; heap 9000000 -> 6000000 bytes, committed 12000000 -> 8000000 bytes",
            "mm: shrink: net dropped 204800 cache bytes; heap 9000000 -> 6000000 bytes, committed 12000000 -> 8000000 bytes",
            "mm: after shrinking, 650 frames free (+150): still below 1000",
            "mm: out of memory: 650 frames free, below 1000 of 65536: killed process 10 (hog), the largest application, 7000 pages resident",
        ], log);
        var s = m.Snapshot();
        Assert.Equal(1, s.Kills);
        Assert.Equal(new ShrinkFigures(Rounds: 1, RoundsThatSufficed: 0, FramesRegained: 150, CacheBytesDropped: 614_400,
            HeapBytesShrunk: 6_000_000, CommittedBytesReturned: 8_000_000, Unanswered: 0), s.Shrink);
    }

    [Fact]
    public void A_round_that_brings_memory_above_the_mark_kills_nobody()
    {
        kernel.FreeFrames = 900;
        kernel.Processes = [Init(1), Application(10, "app", 7000)];
        var m = Monitor(1, new FakeServer(this, "fs", 300));
        Assert.Null(m.Tick());
        Assert.Empty(kernel.Killed);
        Assert.Equal("mm: after shrinking, 1200 frames free (+300): above 1000, no kill", log[^1]);
        var s = m.Snapshot();
        Assert.Equal((1L, 1L, 300L, 1L), (s.Shrink.Rounds, s.Shrink.RoundsThatSufficed, s.Shrink.FramesRegained, s.LowMemoryEpisodes));
        Assert.Equal(log[^1], s.LastEvent);
    }

    [Fact]
    public void A_server_that_does_not_answer_is_logged_and_counted_and_the_round_goes_on()
    {
        kernel.FreeFrames = 500;
        kernel.Processes = [Application(10, "hog", 7000)];
        var m = Monitor(1, new FakeServer(this, "stuck", 0, answers: false), new FakeServer(this, "fs", 10));
        Assert.Equal(10, m.Tick()!.Id);
        Assert.Equal(["stuck", "fs"], asked);
        Assert.Contains("mm: shrink: stuck did not answer: TransportFailed: ETIMEDOUT", log);
        Assert.Equal(1, m.Snapshot().Shrink.Unanswered);
    }

    private sealed class ThrowingServer : IShrinkTarget
    {
        public string Name => "broken";
        public ShrinkAnswer Ask() => throw new InvalidOperationException("no endpoint");
    }

    [Fact]
    public void A_target_that_throws_counts_as_one_that_did_not_answer()
    {
        kernel.FreeFrames = 500;
        kernel.Processes = [Application(10, "hog", 7000)];
        var m = Monitor(1, new ThrowingServer());
        Assert.Equal(10, m.Tick()!.Id);
        Assert.Contains("mm: shrink: broken did not answer: InvalidOperationException: no endpoint", log);
    }

    [Fact]
    public void Within_the_gap_after_a_round_a_low_tick_kills_without_asking_again()
    {
        kernel.FreeFrames = 500;
        kernel.Processes = [Application(10, "a", 100), Application(11, "b", 100), Application(12, "c", 100)];
        var m = Monitor(gap: 3, new FakeServer(this, "fs", 0));
        m.Tick();                      // tick 1: a round, then a kill (the fake frees 100: still low)
        m.Tick();                      // tick 2: within the gap: a kill, no round
        m.Tick();                      // tick 3: within the gap
        Assert.Single(asked);
        m.Tick();                      // tick 4: the gap has passed: a round again (no application left to kill)
        Assert.Equal(2, asked.Count);
        Assert.Equal(3, kernel.Killed.Count);
        Assert.Equal(2, m.Snapshot().Shrink.Rounds);
    }

    [Fact]
    public void With_enough_memory_nobody_is_asked()
    {
        kernel.Processes = [Application(10, "app", 100)];
        var m = Monitor(1, new FakeServer(this, "fs", 100));
        Assert.Null(m.Tick());
        Assert.Empty(asked);
        Assert.Empty(log);
    }

    [Fact]
    public void The_gap_between_rounds_is_at_least_one_tick()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Monitor(gap: 0));
    }

    [Fact]
    public void A_real_lib_server_is_asked_through_its_endpoint_and_runs_its_shrink_callbacks()
    {
        var endpoint = new InMemoryEndpoint();
        var server = new MessageServer(new ServerOptions { Name = "cache", Log = _ => { } });
        server.RegisterShrinkCallback("cache", () => 8192);
        var side = endpoint.CreateServer();
        new Thread(() => server.Run(side)) { IsBackground = true }.Start();
        var target = new ClientShrinkTarget("cache", new ServiceClient(endpoint.CreateClient()), 30_000);
        var answer = target.Ask();
        Assert.Null(answer.Failure);
        Assert.Equal(8192, answer.Report!.CacheBytesDropped);
        Assert.StartsWith("mm: shrink: cache dropped 8192 cache bytes; heap ", answer.LogLine());
        endpoint.Close();
    }

    [Fact]
    public void A_server_that_never_receives_is_reported_after_the_deadline()
    {
        var endpoint = new InMemoryEndpoint();     // nobody serves it
        var answer = new ClientShrinkTarget("silent", new ServiceClient(endpoint.CreateClient(), maxRetries: 0), 50).Ask();
        Assert.Null(answer.Report);
        Assert.StartsWith("mm: shrink: silent did not answer: ", answer.LogLine());
        Assert.Contains("ETIMEDOUT", answer.Failure);
    }

    [Fact]
    public void A_shrink_target_needs_a_name()
    {
        Assert.Throws<ArgumentException>(() => new ClientShrinkTarget("", new ServiceClient(new InMemoryEndpoint().CreateClient()), 10));
    }
}
