// Fault injection (issue 9): init injects faults into running servers (the manifest's
// `inject=KIND@MS/EVERYMS`, made with the kernel's process_inject) while a client calls them in a
// loop; what the restarts must preserve is checked both by the client (servers/echo/.../
// FaultDriver.cs: idempotent calls always complete, others complete or are an I/O error, corrupted
// replies are refused) and here, from init's console lines (every injected fault or hang is a
// death and a restart; a corrupted reply never kills anything; an exhausted heap — the budget
// frozen — ends in the kernel's quota kill once the heap must grow). Manifest: tests/manifests/faults-echo.
namespace Biscuit.Boot.Tests;

public sealed class FaultInjectionBoot : SuiteBoot
{
    public FaultInjectionBoot() : base(QemuRun.BootSystem("1G", "faults-echo", timeoutSeconds: 900, "echo-server")) { }

    public int Count(string prefix) => Lines.Count(l => l.StartsWith(prefix, StringComparison.Ordinal));
}

public class FaultInjectionTests : IClassFixture<FaultInjectionBoot>
{
    private readonly FaultInjectionBoot _boot;
    public FaultInjectionTests(FaultInjectionBoot boot) => _boot = boot;

    public static readonly string[] Cases =
    {
        "fault: every idempotent request completes with the right answer",
        "fault: the client saw 3 server deaths, each a retry or an I/O error",
        "fault: non-idempotent requests complete or report an I/O error",
        "hang: every idempotent request completes with the right answer",
        "hang: the client saw 3 server deaths, each a retry or an I/O error",
        "hang: non-idempotent requests complete or report an I/O error",
        "corrupt-reply: every idempotent request completes with the right answer",
        "corrupt-reply: each corrupted reply is a bad-reply error on the client and the next call succeeds",
        "exhaust: every idempotent request completes with the right answer",
        "exhaust: the client saw 3 server deaths, each a retry or an I/O error",
        "exhaust: non-idempotent requests complete or report an I/O error",
    };

    public static IEnumerable<object[]> CaseData => Cases.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(CaseData))]
    public void Client_case_passes(string name) => _boot.AssertPassed(name);

    [Fact]
    public void The_client_reports_exactly_its_cases_and_the_system_ends_cleanly() =>
        _boot.AssertReportedExactly(Cases, _ => true);

    [Fact]
    public void Each_injected_fault_kills_the_server_which_init_restarts()
    {
        int injected = _boot.Count("init: injected fault into echof");
        int deaths = _boot.Count("init: echof killed by signal");
        int restarts = _boot.Count("init: echof restarted ");
        // A fault waits for the server's next return from a system call: once the client has
        // stopped calling, the idle server takes none, and later injections find one pending.
        Assert.True(deaths >= 3 && deaths <= injected, $"{injected} injected, {deaths} deaths\n{_boot.Run}");
        Assert.True(restarts >= deaths - 1, $"{deaths} deaths, {restarts} restarts");
        bool armed = false;
        foreach (string line in _boot.Lines)
        {
            if (line == "init: injected fault into echof") armed = true;
            else if (line.StartsWith("init: echof restarted ", StringComparison.Ordinal)) armed = false;
            else if (line.StartsWith("init: echof killed by signal", StringComparison.Ordinal))
                Assert.True(armed, $"a death with no injection into that instance: {line}\n{_boot.Run}");
        }
        Assert.DoesNotContain(_boot.Lines, l => l.StartsWith("init: echof", StringComparison.Ordinal) && l.EndsWith("left down", StringComparison.Ordinal));
    }

    [Fact]
    public void An_injected_fault_is_a_null_dereference_the_kernel_reports_as_a_page_fault_at_0()
    {
        Assert.All(_boot.Lines.Where(l => l.StartsWith("init: echof killed by signal", StringComparison.Ordinal)),
            l => Assert.StartsWith("init: echof killed by signal 11;", l));
        Assert.Contains(_boot.Lines, l => l.Contains("(echo-server) killed: #PF page fault at 0x0, rip ", StringComparison.Ordinal)
                                          && l.EndsWith("error code 0x4", StringComparison.Ordinal));
    }

    [Fact]
    public void Each_injected_hang_is_found_by_the_heartbeat_killed_and_restarted()
    {
        int injected = _boot.Count("init: injected hang into echoh");
        int missed = _boot.Count("init: echoh missed its heartbeat (no answer within 3000 ms): killing it");
        int killed = _boot.Count("init: echoh killed by signal 9;");
        Assert.True(injected >= 3, _boot.Run.ToString());
        // A hung server misses its next heartbeat even when no client calls it.
        Assert.True(missed >= 3 && missed >= injected - 1 && missed <= injected, $"{injected} injected, {missed} heartbeats missed\n{_boot.Run}");
        Assert.Equal(missed, killed);
        Assert.Equal(killed, _boot.Count("init: echoh killed by signal"));
        Assert.True(_boot.Count("init: echoh restarted ") >= killed - 1);
    }

    [Fact]
    public void A_corrupted_reply_kills_neither_the_server_nor_the_client()
    {
        Assert.True(_boot.Count("init: injected corrupt-reply into echoc") >= 3, _boot.Run.ToString());
        Assert.Equal(0, _boot.Count("init: echoc killed"));
        Assert.Equal(0, _boot.Count("init: echoc exited"));
        Assert.Contains("init: driver exited with status 0", _boot.Lines);
    }

    [Fact]
    public void At_shutdown_init_prints_each_servers_history_with_every_death_counted_as_injected()
    {
        foreach (string server in new[] { "echof", "echoh", "echoe" })
        {
            // the last one: init also prints a server's line after every 5th restart of it
            string line = _boot.Lines.Last(l => l.StartsWith($"init: history {server}: ", StringComparison.Ordinal));
            var m = System.Text.RegularExpressions.Regex.Match(line, @"^init: history \w+: (\d+) deaths \((\d+) injected\), (\d+) restarts; causes: signal (\d+) x(\d+); restart latency ms: last \d+, max \d+, mean \d+$");
            Assert.True(m.Success, line);
            Assert.Equal(m.Groups[1].Value, m.Groups[2].Value);
            Assert.Equal(m.Groups[1].Value, m.Groups[5].Value);
            Assert.Equal(_boot.Count($"init: {server} killed by signal"), int.Parse(m.Groups[1].Value));
            Assert.Equal(_boot.Count($"init: {server} restarted "), int.Parse(m.Groups[3].Value));
        }
        Assert.Contains("init: history echoc: 0 deaths (0 injected), 0 restarts; causes: none; restart latency ms: last 0, max 0, mean 0", _boot.Lines);
    }

    [Fact]
    public void Each_exhaustion_that_kills_is_the_kernel_s_quota_kill_of_that_server_which_init_restarts()
    {
        int injected = _boot.Count("init: injected exhaust into echoe");
        int deaths = _boot.Count("init: echoe killed by signal 9");
        int quotaKills = _boot.Lines.Count(l => l.StartsWith("biscuit: out of memory: ", StringComparison.Ordinal) && l.Contains("over its page quota: killed (SIGKILL)"));
        Assert.True(deaths >= 3 && deaths <= injected, $"{injected} exhaustions, {deaths} deaths of echoe\n{_boot.Run}");
        Assert.Equal(deaths, quotaKills);                                   // no other way to die, and no other server over quota
        Assert.Equal(0, _boot.Count("init: echoe killed by signal ") - deaths);
        Assert.True(_boot.Count("init: echoe restarted ") >= deaths - 1, _boot.Run.ToString());
    }

    [Fact]
    public void The_kernel_never_stops()
    {
        Assert.DoesNotContain("biscuit: CPU exception", _boot.Run.Serial);
        Assert.True(_boot.Run.ExitStatus == QemuRun.KernelSuccess, _boot.Run.ToString());
    }
}

// `./biscuit run --inject SERVER:KIND[:EVERYMS]` refuses a malformed request before building anything.
public class BiscuitInjectOptionTests
{
    private static (int ExitCode, string Output) Biscuit(string args) =>
        Repository.Run(Path.Combine(Repository.Root, "biscuit"), args, TimeSpan.FromSeconds(30));

    [Theory]
    [InlineData("run --inject", "--inject needs SERVER:KIND[:EVERYMS]")]
    [InlineData("run --inject fs", "--inject needs SERVER:KIND[:EVERYMS]")]
    [InlineData("run --inject fs:explode", "KIND one of fault, hang, corrupt-reply, kill, exhaust")]
    [InlineData("run --inject fs:kill:soon", "--inject needs SERVER:KIND[:EVERYMS]")]
    [InlineData("run --inject fs:kill:50", "--inject: EVERYMS must be at least 100, not '50'")]
    public void A_malformed_injection_is_refused_with_status_2(string args, string message)
    {
        var (code, output) = Biscuit(args);
        Assert.Equal(2, code);
        Assert.Contains(message, output);
    }
}
